// Tracked background tasks shared by every domain (sweeps, scans, roll-ups, imports).
export * from "./task_runner.ts";
