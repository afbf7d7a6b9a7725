//! Tests of the shell that need no window: the IPC commands through Tauri's
//! mock runtime (real serialisation of arguments, results and errors), and
//! the committed TypeScript twins.

mod bindings;
mod ipc;
