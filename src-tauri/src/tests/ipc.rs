//! Every command through Tauri's mock runtime: arguments are deserialised and
//! results and `{code, message}` errors serialised exactly as for the page.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{json, Value};
use tauri::test::{
    get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY,
};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindow;

use crate::error::IpcError;
use crate::state::AppState;

const CODE: &str = "000.00.38.H38-221125-0001";

struct Harness {
    _app: tauri::App<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
    _dir: tempfile::TempDir,
    dir: std::path::PathBuf,
}

fn harness_with(state: impl FnOnce(&Path) -> AppState) -> Harness {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().to_path_buf();
    let app = crate::attach(mock_builder(), state(&path))
        .build(mock_context(noop_assets()))
        .expect("mock app");
    let window = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("window");
    Harness {
        _app: app,
        window,
        _dir: dir,
        dir: path,
    }
}

fn harness() -> Harness {
    harness_with(|dir| {
        let data = dir.join("data");
        let office = doisoat_core::Office::open(&data)
            .map(Arc::new)
            .map_err(|e| IpcError::from_core(&e, doisoat_core::Lang::Vi));
        AppState::new(office, Some(data), repo().join("fixtures"))
    })
}

/// Read at run time: a build folder shared by several clones keeps, in
/// `env!`, the path of whichever clone built the tests.
fn repo() -> PathBuf {
    PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("run by cargo"))
}

impl Harness {
    fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        let request = InvokeRequest {
            cmd: cmd.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            url: "tauri://localhost".parse().expect("url"),
            body: tauri::ipc::InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        get_ipc_response(&self.window, request).map(|body| match body {
            tauri::ipc::InvokeResponseBody::Json(s) => serde_json::from_str(&s).expect("json"),
            tauri::ipc::InvokeResponseBody::Raw(bytes) => {
                json!({ "raw": bytes.len(), "head": bytes[..bytes.len().min(2)] })
            }
        })
    }

    fn ok(&self, cmd: &str, args: Value) -> Value {
        self.call(cmd, args)
            .unwrap_or_else(|e| panic!("{cmd} failed: {e}"))
    }

    fn err_code(&self, cmd: &str, args: Value) -> String {
        let e = self
            .call(cmd, args)
            .err()
            .unwrap_or_else(|| panic!("{cmd} should fail"));
        assert!(
            e["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{cmd}: message missing in {e}"
        );
        e["code"]
            .as_str()
            .unwrap_or_else(|| panic!("{cmd}: no code in {e}"))
            .to_owned()
    }

    fn import_fixture(&self) -> Value {
        let export = repo().join("fixtures/portal/dossiers.json");
        self.ok(
            "import_export",
            json!({ "job": "imp", "file": export, "skipInvalid": true }),
        )
    }
}

fn query(text: Option<&str>) -> Value {
    json!({ "query": { "text": text, "status": null, "has_open_findings": null, "received_from": null,
                       "received_to": null, "offset": 0, "limit": 50 } })
}

#[test]
fn app_info_names_the_data_folder() {
    let h = harness();
    let info = h.ok("app_info", json!({}));
    assert_eq!(
        info["data_dir"],
        json!(h.dir.join("data").display().to_string())
    );
    assert_eq!(info["office_error"], Value::Null);
    assert_eq!(info["demo_requested"], json!(false));
}

#[test]
fn empty_office_lists_nothing_and_unknown_dossier_is_an_error() {
    let h = harness();
    let page = h.ok("list_dossiers", query(None));
    assert_eq!(page["total"], json!(0));
    assert_eq!(page["rows"], json!([]));
    assert_eq!(h.ok("import_presets", json!({})), json!([]));
    assert_eq!(
        h.err_code(
            "open_dossier",
            json!({ "code": "000.00.38.H38-991231-9999" })
        ),
        "dossier_not_found"
    );
}

#[test]
fn errors_follow_the_chosen_language() {
    let h = harness();
    let vi = h
        .call("open_dossier", json!({ "code": "X-1" }))
        .unwrap_err();
    assert!(
        vi["message"]
            .as_str()
            .unwrap_or_default()
            .contains("Không tìm thấy hồ sơ"),
        "{vi}"
    );
    h.ok("set_language", json!({ "lang": "en" }));
    let en = h
        .call("open_dossier", json!({ "code": "X-1" }))
        .unwrap_err();
    assert_eq!(en["code"], json!("dossier_not_found"));
    assert!(
        en["message"]
            .as_str()
            .unwrap_or_default()
            .contains("no dossier"),
        "{en}"
    );
}

#[test]
fn paths_from_the_page_are_checked() {
    let h = harness();
    let txt = h.dir.join("notes.txt");
    std::fs::write(&txt, "x").expect("write");
    let ingest = |files: Value| {
        h.err_code(
            "ingest",
            json!({ "job": "j", "files": files, "target": null }),
        )
    };
    assert_eq!(ingest(json!(["scan.pdf"])), "path_not_absolute");
    assert_eq!(ingest(json!([h.dir.join("none.pdf")])), "path_not_found");
    assert_eq!(ingest(json!([txt])), "path_unsupported_type");
    assert_eq!(ingest(json!([])), "no_files");
    assert_eq!(
        h.err_code(
            "import_export",
            json!({ "job": "j", "file": h.dir.join("x.pdf"), "skipInvalid": false })
        ),
        "path_not_found"
    );
}

#[test]
fn bad_arguments_are_refused_by_deserialisation() {
    let h = harness();
    let e = h.call(
        "update_finding",
        json!({ "id": 1, "update": { "status": "maybe", "note": null, "actor": "A" } }),
    );
    assert!(e.is_err(), "an unknown status is refused");
    assert_eq!(
        h.err_code(
            "update_finding",
            json!({ "id": 1, "update": { "status": "resolved", "note": null, "actor": "  " } })
        ),
        "actor_required"
    );
    assert_eq!(
        h.err_code(
            "update_finding",
            json!({ "id": 999, "update": { "status": "resolved", "note": "x", "actor": "An" } })
        ),
        "finding_not_found"
    );
    assert_eq!(
        h.ok("cancel_job", json!({ "job": "nothing-running" })),
        json!(false)
    );
}

#[test]
fn an_unusable_data_folder_is_reported_by_every_command() {
    let h = harness_with(|dir| {
        let blocked = dir.join("file-not-folder");
        std::fs::write(&blocked, "x").expect("write");
        let office = doisoat_core::Office::open(&blocked)
            .map(Arc::new)
            .map_err(|e| IpcError::from_core(&e, doisoat_core::Lang::Vi));
        AppState::new(office, Some(blocked), dir.to_path_buf())
    });
    let info = h.ok("app_info", json!({}));
    let code = info["office_error"]["code"]
        .as_str()
        .expect("office error")
        .to_owned();
    assert_eq!(h.err_code("list_dossiers", query(None)), code);
    assert_eq!(h.err_code("open_dossier", json!({ "code": CODE })), code);
}

#[test]
fn import_ingest_reconcile_and_resolve() {
    let h = harness();
    let report = h.import_fixture();
    assert!(report["added"].as_u64().unwrap_or(0) >= 1, "{report}");

    // Search folds diacritics and đ, by code and by name.
    let page = h.ok("list_dossiers", query(Some("221125-0001")));
    assert_eq!(page["rows"][0]["code"], json!(CODE), "{page}");

    let scan = repo().join(format!("fixtures/paper/{CODE}_TP2_scan.pdf"));
    let ingested = h.ok(
        "ingest",
        json!({ "job": "ing", "files": [scan], "target": { "dossier": CODE, "component": "TP2" } }),
    );
    assert_eq!(
        ingested["files"][0]["status"],
        json!("stored"),
        "{ingested}"
    );
    let again = h.ok("ingest", json!({ "job": "ing2", "files": [scan], "target": { "dossier": CODE, "component": "TP2" } }));
    assert_eq!(again["files"][0]["status"], json!("duplicate"), "{again}");

    let rec = h.ok("reconcile", json!({ "job": "rec", "dossier": CODE }));
    let findings = rec["findings"].as_array().expect("findings");
    let differs = findings
        .iter()
        .find(|f| f["kind"] == json!("page_differs"))
        .unwrap_or_else(|| panic!("no page_differs finding in {rec:#}"));
    assert_eq!(differs["component"], json!("TP2"));
    assert_eq!(differs["electronic_page"], json!(2));
    let region = &differs["regions"][0];
    for k in ["x", "y", "w", "h"] {
        let v = region[k].as_f64().expect("region field");
        assert!((0.0..=1.0).contains(&v), "{k}={v}");
    }

    // The view and the page images the viewer shows.
    let view = h.ok("open_dossier", json!({ "code": CODE }));
    assert_eq!(view["dossier"]["code"], json!(CODE));
    let sha = differs["electronic_sha256"]
        .as_str()
        .expect("electronic sha");
    let img = h.ok(
        "page_image",
        json!({ "sha256": sha, "page": 2, "maxDpi": 100.0 }),
    );
    assert_eq!(img["head"], json!([0xFF, 0xD8]), "a JPEG");
    let thumb = h.ok("thumbnail", json!({ "sha256": sha, "page": 1 }));
    assert_eq!(thumb["head"], json!([0xFF, 0xD8]), "a JPEG");
    assert_eq!(
        h.err_code(
            "page_image",
            json!({ "sha256": sha, "page": 99, "maxDpi": 100.0 })
        ),
        "page_not_found"
    );

    // Resolve with a note; who and when are recorded.
    let before = h.ok("list_dossiers", query(Some(CODE)))["rows"][0]["open_findings"]
        .as_u64()
        .expect("open findings");
    // TP2 differs; TP1, TP3 and TP4 have no paper copy in this test.
    assert_eq!(before, 4);
    let id = differs["id"].as_i64().expect("id");
    let done = h.ok(
        "update_finding",
        json!({ "id": id, "update": { "status": "resolved", "note": "Đã đối chiếu bản gốc", "actor": "Nguyễn Thị Đào" } }),
    );
    assert_eq!(done["status"], json!("resolved"));
    assert_eq!(done["note"], json!("Đã đối chiếu bản gốc"));
    assert_eq!(done["actor"], json!("Nguyễn Thị Đào"));
    assert!(
        done["status_at"].as_str().is_some_and(|s| s.len() >= 10),
        "{done}"
    );
    let page = h.ok("list_dossiers", query(Some(CODE)));
    assert_eq!(
        page["rows"][0]["open_findings"],
        json!(before - 1),
        "{page}"
    );
}

/// The dossier's history lists the ingest and the decision, newest first,
/// with who (the account, and the person who decided), the desk's local
/// time and what changed.
/// The footer's store check: the default schedule, a round started by
/// hand, a flipped bit found by the next one, and a bad schedule refused.
#[test]
fn background_fixity_rounds_find_a_flipped_bit() {
    let h = harness();
    h.import_fixture();
    let scan = repo().join(format!("fixtures/paper/{CODE}_TP2_scan.pdf"));
    let ingested = h.ok(
        "ingest",
        json!({ "job": "ing", "files": [scan], "target": { "dossier": CODE, "component": "TP2" } }),
    );
    let status = h.ok("fixity_status", json!({}));
    assert_eq!(status["schedule"]["enabled"], json!(true), "{status}");
    assert_eq!(status["schedule"]["pace_mb"], json!(20), "{status}");
    assert_eq!(status["last"], Value::Null, "{status}");
    assert_eq!(status["running"], json!(false), "{status}");

    let status = h.ok("fixity_check_now", json!({}));
    let report = &status["last"]["report"];
    // The portal export's attachments and the scan, all intact.
    assert!(report["checked"].as_u64().unwrap() >= 2, "{status}");
    assert_eq!(report["checked"], report["intact"], "{status}");
    assert!(
        status["last"]["at"]
            .as_str()
            .is_some_and(|a| a.starts_with("20")),
        "{status}"
    );

    // One flipped bit in the stored object.
    let sha = ingested["files"][0]["sha256"]
        .as_str()
        .expect("the scan's digest")
        .to_owned();
    let object = h
        .dir
        .join("data/store/objects")
        .join(&sha[..2])
        .join(&sha[2..]);
    let mut perms = std::fs::metadata(&object).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&object, perms).unwrap();
    let mut bytes = std::fs::read(&object).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x04;
    std::fs::write(&object, bytes).unwrap();
    let status = h.ok("fixity_check_now", json!({}));
    let changed = status["last"]["report"]["changed"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(changed, [json!(sha)], "{status}");

    let code = h.err_code(
        "set_fixity_schedule",
        json!({ "schedule": { "enabled": true, "pace_mb": 0, "every_minutes": 30, "files_per_round": 500 } }),
    );
    assert_eq!(code, "invalid_argument");
    let status = h.ok(
        "set_fixity_schedule",
        json!({ "schedule": { "enabled": true, "pace_mb": 5, "every_minutes": 60, "files_per_round": 100 } }),
    );
    assert_eq!(status["schedule"]["pace_mb"], json!(5), "{status}");
    assert_eq!(
        h.ok("fixity_status", json!({}))["schedule"]["every_minutes"],
        json!(60)
    );
}

#[test]
fn dossier_history_lists_ingest_and_resolve() {
    let h = harness();
    h.import_fixture();
    let scan = repo().join(format!("fixtures/paper/{CODE}_TP2_scan.pdf"));
    h.ok(
        "ingest",
        json!({ "job": "ing", "files": [scan], "target": { "dossier": CODE, "component": "TP2" } }),
    );
    let rec = h.ok("reconcile", json!({ "job": "rec", "dossier": CODE }));
    let id = rec["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["kind"] == json!("page_differs"))
        .and_then(|f| f["id"].as_i64())
        .expect("a page finding");
    h.ok(
        "update_finding",
        json!({ "id": id, "update": { "status": "resolved", "note": "Đã đối chiếu", "actor": "Nguyễn Thị Đào" } }),
    );

    let history = h.ok("dossier_history", json!({ "code": CODE }));
    let events = history.as_array().expect("a list");
    let actions: Vec<&str> = events
        .iter()
        .map(|e| e["action"].as_str().expect("action"))
        .collect();
    assert_eq!(
        actions.first(),
        Some(&"resolve"),
        "newest first: {actions:?}"
    );
    assert!(actions.contains(&"ingest"), "{actions:?}");
    let seqs: Vec<i64> = events
        .iter()
        .map(|e| e["seq"].as_i64().expect("seq"))
        .collect();
    assert!(seqs.windows(2).all(|w| w[0] > w[1]), "{seqs:?}");

    let change = |e: &Value, field: &str| -> (Value, Value) {
        let c = e["changes"]
            .as_array()
            .expect("changes")
            .iter()
            .find(|c| c["field"] == json!(field))
            .unwrap_or_else(|| panic!("no {field} in {e}"));
        (c["before"].clone(), c["after"].clone())
    };
    let resolve = &events[0];
    assert_eq!(
        resolve["actor"],
        json!(doisoat_core::auth::LOCAL_ADMINISTRATOR)
    );
    assert_eq!(resolve["outcome"], json!("ok"));
    assert_eq!(
        change(resolve, "status"),
        (json!("open"), json!("resolved"))
    );
    assert_eq!(
        change(resolve, "decided_by"),
        (Value::Null, json!("Nguyễn Thị Đào"))
    );
    assert_eq!(
        change(resolve, "note"),
        (Value::Null, json!("Đã đối chiếu"))
    );
    let local = resolve["at_local"].as_str().expect("local time");
    let shape: Vec<bool> = local.chars().map(|c| c.is_ascii_digit()).collect();
    assert_eq!(local.len(), "dd/mm/yyyy HH:mm".len(), "{local}");
    assert!(
        shape
            .iter()
            .enumerate()
            .all(|(i, d)| *d != [2, 5, 10, 13].contains(&i)),
        "dd/mm/yyyy HH:mm: {local}"
    );

    let ingest = events
        .iter()
        .find(|e| e["action"] == json!("ingest"))
        .expect("ingest event");
    assert_eq!(change(ingest, "component").1, json!("TP2"));
    assert!(
        change(ingest, "name")
            .1
            .as_str()
            .is_some_and(|n| n.ends_with("_TP2_scan.pdf")),
        "{ingest}"
    );

    assert_eq!(
        h.err_code(
            "dossier_history",
            json!({ "code": "000.00.00.X00-000000-0000" })
        ),
        "dossier_not_found"
    );
}

/// SANE is one library-wide state that reads its configuration when it
/// starts: the scanning tests take turns, each with SANE_CONFIG_DIR at
/// tests/sane (its dll.conf lists SANE's virtual `test` device; the
/// trailing ':' keeps the system's folders too).
static SANE: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn sane_test_backend() -> std::sync::MutexGuard<'static, ()> {
    let turn = SANE.lock().unwrap_or_else(|e| e.into_inner());
    std::env::set_var(
        "SANE_CONFIG_DIR",
        format!("{}:", repo().join("tests/sane").display()),
    );
    turn
}

/// The feeder of SANE's test device at 200 dpi in colour.
fn feeder(max_pages: Option<u32>) -> Value {
    json!({ "source": "adf", "dpi": 200, "mode": "colour", "max_pages": max_pages })
}

fn page_ids(state: &Value) -> Vec<u64> {
    state["pages"]
        .as_array()
        .unwrap_or_else(|| panic!("no pages in {state}"))
        .iter()
        .map(|p| p["id"].as_u64().expect("page id"))
        .collect()
}

/// The paper copies linked to dossier `code`, as (component, pages).
fn paper_copies(h: &Harness, code: &str) -> Vec<(String, u64)> {
    let view = h.ok("open_dossier", json!({ "code": code }));
    let mut out = Vec::new();
    for c in view["components"].as_array().expect("components") {
        for copy in c["paper"].as_array().expect("paper copies") {
            out.push((
                c["code"].as_str().expect("component").to_owned(),
                copy["page_count"].as_u64().expect("page count"),
            ));
        }
    }
    for copy in view["unassigned"].as_array().expect("unassigned") {
        out.push((String::new(), copy["page_count"].as_u64().expect("count")));
    }
    out
}

/// The scanning panel's path through SANE's real `test` backend: list the
/// devices, scan three pages from the feeder with a live counter, rescan
/// one, insert one, see each page's thumbnail, refuse bad requests, then
/// store the batch linked to a dossier: the dossier
/// has one paper document with all four pages, and the desk is empty.
#[test]
fn scan_rescan_insert_and_store_into_a_dossier() {
    let _sane = sane_test_backend();
    let h = harness();
    h.import_fixture();

    let devices = h.ok("scan_devices", json!({}));
    assert!(
        devices
            .as_array()
            .expect("a list")
            .iter()
            .any(|d| d["name"] == json!("test:0") && d["vendor"].is_string()),
        "{devices}"
    );
    assert_eq!(h.ok("scan_state", json!({})), Value::Null);

    let counted = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = Arc::clone(&counted);
    tauri::Listener::listen_any(&h._app, crate::jobs::PROGRESS_EVENT, move |e| {
        let p: Value = serde_json::from_str(e.payload()).expect("progress json");
        if p["job"] == json!("scan-1") {
            seen.lock()
                .expect("counter")
                .push(p["done"].as_u64().expect("done"));
        }
    });
    let state = h.ok(
        "scan_batch",
        json!({ "job": "scan-1", "device": "test:0", "settings": feeder(Some(3)) }),
    );
    assert_eq!(state["stopped"], json!({ "kind": "finished" }), "{state}");
    let first = page_ids(&state);
    assert_eq!(first.len(), 3, "{state}");
    assert_eq!(*counted.lock().expect("counter"), vec![1, 2, 3]);
    // 80 mm wide at 200 dpi (the test device's default area).
    let page = &state["pages"][0];
    assert_eq!(page["dpi"], json!(200.0));
    assert!(
        (625..=631).contains(&page["width"].as_u64().expect("width")),
        "{page}"
    );
    let thumb = h.ok("scan_thumbnail", json!({ "id": first[1] }));
    assert_eq!(thumb["head"], json!([0xFF, 0xD8]), "a JPEG");

    // Rescan page 2: a new page in its place; insert one before page 1.
    let state = h.ok("scan_rescan", json!({ "index": 1 }));
    let after_rescan = page_ids(&state);
    assert_eq!(after_rescan.len(), 3);
    assert_eq!((after_rescan[0], after_rescan[2]), (first[0], first[2]));
    assert!(!first.contains(&after_rescan[1]), "{after_rescan:?}");
    let state = h.ok("scan_insert", json!({ "index": 0 }));
    let ids = page_ids(&state);
    assert_eq!(ids.len(), 4);
    assert_eq!(&ids[1..], &after_rescan[..]);
    assert_eq!(
        h.err_code("scan_thumbnail", json!({ "id": first[1] })),
        "page_not_found",
        "the rescanned page is gone"
    );
    assert_eq!(
        h.err_code("scan_rescan", json!({ "index": 4 })),
        "page_not_found"
    );
    assert_eq!(
        h.err_code("scan_insert", json!({ "index": 9 })),
        "page_not_found"
    );

    // Neither split nor a dossier: refused, and the batch stays on the desk.
    assert_eq!(
        h.err_code("scan_store", json!({ "job": "st-0", "finish": { "split": false, "dossier": " ", "component": null } })),
        "dossier_required"
    );
    assert_eq!(page_ids(&h.ok("scan_state", json!({}))), ids);

    let stored = h.ok(
        "scan_store",
        json!({ "job": "st-2", "finish": { "split": false, "dossier": CODE, "component": "TP2" } }),
    );
    assert_eq!(stored["kept"], json!(false), "{stored}");
    let file = &stored["ingest"]["files"][0];
    assert_eq!(file["status"], json!("stored"), "{stored}");
    assert_eq!(file["dossier"], json!(CODE));
    assert_eq!(file["pages"], json!(4));
    assert_eq!(paper_copies(&h, CODE), vec![("TP2".to_owned(), 4)]);
    assert_eq!(h.ok("scan_state", json!({})), Value::Null);
    assert_eq!(
        h.err_code("scan_store", json!({ "job": "st-3", "finish": { "split": false, "dossier": CODE, "component": null } })),
        "no_batch"
    );
}

/// Cancelling mid-batch (the clerk presses Cancel as page 2 comes out of
/// the feeder) stops the scan and keeps the pages already scanned; a second
/// run adds to them; storing links them all. A batch stored split goes
/// through the separator-sheet path; a discarded one stores nothing.
#[test]
fn cancelling_mid_batch_keeps_the_scanned_pages() {
    let _sane = sane_test_backend();
    let h = harness();
    h.import_fixture();
    // The page's Cancel button is `cancel_job`; pressed from the progress
    // listener, while the scan is still running on its own thread.
    let window = h.window.clone();
    tauri::Listener::listen_any(&h._app, crate::jobs::PROGRESS_EVENT, move |e| {
        let p: Value = serde_json::from_str(e.payload()).expect("progress json");
        if p["job"] == json!("scan-c") && p["done"] == json!(2) {
            let request = InvokeRequest {
                cmd: "cancel_job".into(),
                callback: tauri::ipc::CallbackFn(0),
                error: tauri::ipc::CallbackFn(1),
                url: "tauri://localhost".parse().expect("url"),
                body: tauri::ipc::InvokeBody::Json(json!({ "job": "scan-c" })),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            };
            let answer = get_ipc_response(&window, request).expect("cancel_job");
            assert!(
                matches!(&answer, tauri::ipc::InvokeResponseBody::Json(s) if s == "true"),
                "the scan job was running: {answer:?}"
            );
        }
    });
    // No page limit: the test device's feeder holds 10 sheets.
    let state = h.ok(
        "scan_batch",
        json!({ "job": "scan-c", "device": "test:0", "settings": feeder(None) }),
    );
    assert_eq!(state["stopped"], json!({ "kind": "cancelled" }), "{state}");
    let kept = page_ids(&state);
    assert_eq!(kept.len(), 2, "{state}");
    assert!(!h
        .ok("cancel_job", json!({ "job": "scan-c" }))
        .as_bool()
        .expect("bool"));

    let state = h.ok(
        "scan_batch",
        json!({ "job": "scan-d", "device": "test:0", "settings": feeder(Some(1)) }),
    );
    assert_eq!(state["stopped"], json!({ "kind": "finished" }));
    let ids = page_ids(&state);
    assert_eq!(&ids[..2], &kept[..], "the cancelled run's pages stay first");
    assert_eq!(ids.len(), 3);

    let stored = h.ok(
        "scan_store",
        json!({ "job": "st", "finish": { "split": false, "dossier": CODE, "component": "TP1" } }),
    );
    assert_eq!(stored["ingest"]["files"][0]["pages"], json!(3), "{stored}");
    assert_eq!(paper_copies(&h, CODE), vec![("TP1".to_owned(), 3)]);

    // Split: the test device's pages carry no separator sheet or code.
    h.ok(
        "scan_batch",
        json!({ "job": "scan-s", "device": "test:0", "settings": feeder(Some(2)) }),
    );
    let split = h.ok(
        "scan_store",
        json!({ "job": "st-s", "finish": { "split": true, "dossier": null, "component": null } }),
    );
    assert_eq!(split["kept"], json!(false), "{split}");
    assert_eq!(split["ingest"], Value::Null);
    assert_eq!(split["split"]["pages"], json!(2), "{split}");
    assert_eq!(split["split"]["linked"], json!(0), "{split}");
    // Its pages are solid black: not separator sheets, but flagged as dark.
    assert_eq!(split["split"]["separators"], json!([]), "{split}");
    let dark: Vec<u64> = split["split"]["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .filter(|w| {
            w["warnings"]
                .as_array()
                .is_some_and(|k| k.contains(&json!("dark_page")))
        })
        .filter_map(|w| w["page"].as_u64())
        .collect();
    assert_eq!(dark, vec![1, 2], "{split}");
    assert_eq!(h.ok("scan_state", json!({})), Value::Null);

    // Discarding empties the desk without storing anything.
    h.ok(
        "scan_batch",
        json!({ "job": "scan-e", "device": "test:0", "settings": feeder(Some(2)) }),
    );
    h.ok("scan_discard", json!({}));
    assert_eq!(h.ok("scan_state", json!({})), Value::Null);
    assert_eq!(paper_copies(&h, CODE), vec![("TP1".to_owned(), 3)]);
}
