// The page's only door to the app: typed wrappers over Tauri's invoke.
// Every failure arrives as an IpcError `{code, message}`; screens branch on
// `code` and show `message`.

import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { IpcError } from "./bindings/IpcError";
import type { JobProgress } from "./bindings/JobProgress";
import type { FixityStatus } from "./bindings/FixityStatus";

export type { IpcError };

export function isIpcError(e: unknown): e is IpcError {
  return typeof e === "object" && e !== null && "code" in e && "message" in e;
}

/** Any thrown value as an IpcError (a plain string becomes code "internal"). */
export function asIpcError(e: unknown): IpcError {
  if (isIpcError(e)) return e;
  return { code: "internal", message: String(e) };
}

export async function call<T>(command: string, args: Record<string, unknown> = {}): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw asIpcError(e);
  }
}

export function onProgress(handler: (p: JobProgress) => void): Promise<UnlistenFn> {
  return listen<JobProgress>("job-progress", (event) => handler(event.payload));
}

/** The background store check's status after each of its rounds. */
export function onFixityStatus(handler: (s: FixityStatus) => void): Promise<UnlistenFn> {
  return listen<FixityStatus>("fixity-status", (event) => handler(event.payload));
}

let jobCounter = 0;
/** A job id unique within this page's life. */
export function newJobId(kind: string): string {
  jobCounter += 1;
  return `${kind}-${Date.now()}-${jobCounter}`;
}

/** JPEG bytes from a command that returns raw bytes, as an object URL. */
export async function imageUrl(command: string, args: Record<string, unknown>): Promise<string> {
  const bytes = await call<ArrayBuffer>(command, args);
  return URL.createObjectURL(new Blob([bytes], { type: "image/jpeg" }));
}

let readyReported = false;
/** Tells the app, once per page load, that the first list rows are on screen
 * (after the next paint); the app logs the start-up time. */
export function reportReady(): void {
  if (readyReported) return;
  readyReported = true;
  requestAnimationFrame(() => setTimeout(() => void call("ui_ready").catch(() => {}), 0));
}
