//! The desktop shell: Tauri commands over `doisoat-core`. Each command
//! unpacks its input, calls the core and maps the error to `{code, message}`.

pub fn run() {
    tauri::Builder::default()
        .run(tauri::generate_context!())
        .expect("error while running the Tauri application");
}
