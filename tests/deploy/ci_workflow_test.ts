// The Gitea Actions pipeline: valid YAML, run on every push and pull request, the README's test
// command on self-hosted runners, and an image build (never a push) on runners labelled infra.
import assert from "node:assert/strict";
import { parse } from "yaml";

const ROOT = new URL("../../", import.meta.url);

interface Step {
  uses?: string;
  run?: string;
}
interface Job {
  "runs-on": string | string[];
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<string, Job>;
}

const workflow = parse(
  await Deno.readTextFile(new URL(".gitea/workflows/ci.yml", ROOT)),
) as Workflow;
const labels = (job: Job) => [job["runs-on"]].flat();
const commands = (job: Job) => job.steps.map((s) => s.run ?? "").join("\n");

Deno.test("CI runs on every push and pull request", () => {
  assert.deepEqual(Object.keys(workflow.on).sort(), ["pull_request", "push"]);
  // No branch or path filter: every push and every pull request.
  assert.equal(workflow.on.push, null);
  assert.equal(workflow.on.pull_request, null);
});

Deno.test("CI's test job runs the README's test command on a self-hosted runner", async () => {
  const readme = await Deno.readTextFile(new URL("README.md", ROOT));
  const command = readme.match(/^(npx -y deno@[\d.]+ task test)\b/m)?.[1];
  assert.ok(command, "README names the test command");
  const test = workflow.jobs.test;
  assert.deepEqual(labels(test), ["self-hosted"]);
  assert.ok(test.steps.some((s) => s.uses?.startsWith("actions/checkout@")));
  assert.ok(commands(test).split("\n").includes(command), `test job runs ${command}`);
});

Deno.test("CI builds the Docker image on infra runners, without pushing it", () => {
  const image = workflow.jobs.image;
  assert.deepEqual(labels(image), ["infra"]);
  assert.match(commands(image), /^docker build .*\.$/m);
  assert.doesNotMatch(commands(image), /docker (image )?push|--push/);
  assert.deepEqual(Object.keys(workflow.jobs).sort(), ["image", "test"]);
});
