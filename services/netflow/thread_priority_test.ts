import assert from "node:assert/strict";
import { setThreadNice } from "./thread_priority.ts";

Deno.test({
  name: "setThreadNice lowers the calling thread's priority only (Linux)",
  ignore: Deno.build.os !== "linux",
  async fn() {
    // In a worker thread of its own: the test runner's thread keeps its priority.
    const code = `import { setThreadNice } from ${
      JSON.stringify(
        new URL("./thread_priority.ts", import.meta.url).href,
      )
    };
      self.postMessage(setThreadNice(7));`;
    const w = new Worker(URL.createObjectURL(new Blob([code], { type: "text/javascript" })), {
      type: "module",
    });
    try {
      const got = await new Promise<MessageEvent>((resolve) => (w.onmessage = resolve));
      assert.deepEqual(got.data, { requested: 7, effective: 7 });
    } finally {
      w.terminate();
    }
    // This thread was not touched: asking for the priority it has changes nothing.
    const here = setThreadNice(0);
    assert.equal(here.requested, 0);
  },
});
