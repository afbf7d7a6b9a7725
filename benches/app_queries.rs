//! The app's query figures on a seeded data folder, through Tauri's mock
//! runtime so argument parsing and result serialisation are included:
//! opening a dossier, and search as you type. Run by `benches/app.sh`
//! (`DOISOAT_BENCH_DIR` names the seeded folder); not a timed test.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
use tauri::webview::InvokeRequest;

fn call(window: &tauri::WebviewWindow<tauri::test::MockRuntime>, cmd: &str, args: Value) -> Value {
    let request = InvokeRequest {
        cmd: cmd.into(),
        callback: tauri::ipc::CallbackFn(0),
        error: tauri::ipc::CallbackFn(1),
        url: "tauri://localhost".parse().expect("url"),
        body: tauri::ipc::InvokeBody::Json(args),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    match get_ipc_response(window, request) {
        Ok(tauri::ipc::InvokeResponseBody::Json(s)) => serde_json::from_str(&s).expect("json"),
        Ok(tauri::ipc::InvokeResponseBody::Raw(_)) => Value::Null,
        Err(e) => panic!("{cmd} failed: {e}"),
    }
}

fn summary(label: &str, mut times: Vec<Duration>) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let p = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!(
        "{label}: n={} median={:.1} ms p95={:.1} ms max={:.1} ms",
        times.len(),
        ms(p(0.5)),
        ms(p(0.95)),
        ms(*times.last().expect("samples"))
    );
}

fn query(text: &str) -> Value {
    json!({ "query": { "text": text, "status": null, "has_open_findings": null, "received_from": null,
                       "received_to": null, "offset": 0, "limit": 100 } })
}

fn main() {
    let Some(dir) = std::env::var_os("DOISOAT_BENCH_DIR") else {
        eprintln!("set DOISOAT_BENCH_DIR to a seeded data folder (benches/app.sh does)");
        std::process::exit(2);
    };
    let dir = std::path::PathBuf::from(dir);
    let office = doisoat_core::Office::open(&dir).expect("open the data folder");
    let state =
        doisoat_app::state::AppState::new(Ok(Arc::new(office)), Some(dir.clone()), dir.clone());
    let app = doisoat_app::attach(mock_builder(), state)
        .build(mock_context(noop_assets()))
        .expect("mock app");
    let window = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("window");

    let all = call(&window, "list_dossiers", query(""));
    let total = all["total"].as_u64().unwrap_or(0);
    println!("dossiers in the database: {total}");

    // Opening dossiers spread over the whole table.
    let mut codes = Vec::new();
    for offset in (0..total).step_by((total / 50).max(1) as usize) {
        let page = call(
            &window,
            "list_dossiers",
            json!({ "query": { "text": null, "status": null,
            "has_open_findings": null, "received_from": null, "received_to": null, "offset": offset, "limit": 1 } }),
        );
        if let Some(code) = page["rows"][0]["code"].as_str() {
            codes.push(code.to_owned());
        }
    }
    let mut open_times = Vec::new();
    for code in &codes {
        let t = Instant::now();
        let view = call(&window, "open_dossier", json!({ "code": code }));
        open_times.push(t.elapsed());
        assert_eq!(view["dossier"]["code"].as_str(), Some(code.as_str()));
    }
    summary("open dossier", open_times);

    // Search as you type: each keystroke is one query of the first 100 rows.
    let typed = [
        "n",
        "ng",
        "ngu",
        "nguy",
        "nguye",
        "nguyen",
        "nguyen v",
        "nguyen va",
        "nguyen van",
        "duc",
        "đức",
        "0123",
        "012345",
        "000.00",
        "221125",
        "H38-2211",
    ];
    let mut search_times = Vec::new();
    let mut by_text: Vec<(&str, Duration)> = typed.iter().map(|t| (*t, Duration::ZERO)).collect();
    for _round in 0..5 {
        for (i, text) in typed.iter().enumerate() {
            let t = Instant::now();
            let page = call(&window, "list_dossiers", query(text));
            let took = t.elapsed();
            search_times.push(took);
            by_text[i].1 = by_text[i].1.max(took);
            assert!(page["total"].is_u64());
        }
    }
    summary("search keystroke", search_times);
    by_text.sort_by_key(|(_, d)| std::cmp::Reverse(*d));
    let slowest: Vec<String> = by_text
        .iter()
        .take(4)
        .map(|(t, d)| format!("{t:?} {:.1} ms", d.as_secs_f64() * 1000.0))
        .collect();
    println!("slowest keystrokes (max of 5): {}", slowest.join(", "));
}
