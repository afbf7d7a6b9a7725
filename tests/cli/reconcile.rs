//! `doisoat reconcile`: paper against electronic, per component, as findings.

use serde_json::Value;

use crate::{component, fixture, Env, D1, D2, D3};

fn findings(env: &Env, dossier: &str, component: &str) -> Vec<Value> {
    let all = env.json(&["findings", "--dossier", dossier]);
    all.as_array()
        .unwrap()
        .iter()
        .filter(|f| f["component"] == component)
        .cloned()
        .collect()
}

fn kinds(fs: &[Value]) -> Vec<&str> {
    let mut k: Vec<&str> = fs.iter().map(|f| f["kind"].as_str().unwrap()).collect();
    k.sort();
    k
}

fn overlaps(r: &Value, t: &Value) -> bool {
    let f = |v: &Value, k: &str| v[k].as_f64().unwrap();
    f(r, "x") < f(t, "x") + f(t, "w")
        && f(t, "x") < f(r, "x") + f(r, "w")
        && f(r, "y") < f(t, "y") + f(t, "h")
        && f(t, "y") < f(r, "y") + f(r, "h")
}

#[test]
fn the_fixture_dossiers_reconcile_as_their_truth_says() {
    let env = Env::new();
    env.load_fixtures();
    let report = env.json(&["reconcile"]);
    assert_eq!(report["dossiers"], 3);

    // D1 TP1: a rescan that matches.
    assert!(
        findings(&env, D1, "TP1").is_empty(),
        "{:?}",
        findings(&env, D1, "TP1")
    );
    // D1 TP2: one digit changed on page 2, found where the truth says.
    let tp2 = findings(&env, D1, "TP2");
    assert_eq!(kinds(&tp2), ["page_differs"], "{tp2:?}");
    assert_eq!(
        (
            tp2[0]["paper_page"].as_u64(),
            tp2[0]["electronic_page"].as_u64()
        ),
        (Some(2), Some(2))
    );
    let truth: Value =
        serde_json::from_slice(&std::fs::read(fixture("paper/truth.json")).unwrap()).unwrap();
    let change =
        &truth["files"]["paper/000.00.38.H38-221125-0001_TP2_scan.pdf"]["changes"][0]["regions"][0];
    assert!(
        tp2[0]["regions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| overlaps(r, change)),
        "{tp2:?} vs {change}"
    );
    // D1 TP3, TP4: no paper copy.
    assert_eq!(kinds(&findings(&env, D1, "TP3")), ["paper_missing"]);
    // D2 TP1: the paper copy lacks page 2.
    let d2 = findings(&env, D2, "TP1");
    assert_eq!(
        kinds(&d2),
        ["page_count_differs", "page_unpaired"],
        "{d2:?}"
    );
    let unpaired = d2.iter().find(|f| f["kind"] == "page_unpaired").unwrap();
    assert_eq!(
        (
            unpaired["paper_page"].as_u64(),
            unpaired["electronic_page"].as_u64()
        ),
        (None, Some(2))
    );
    // Copies whose truth is "match" raise no finding at all, D2 TP3 among
    // them: a 150-dpi PNG with a red stamp over the text and the scanner's
    // dark edge along the sheet, which once threw its registration off.
    for (d, c) in [(D2, "TP2"), (D2, "TP3"), (D3, "TP1"), (D3, "TP4")] {
        let f = findings(&env, d, c);
        assert!(f.is_empty(), "{d} {c}: {f:?}");
    }
    // With no finding to carry it, the component still says the stamp was
    // set aside, and that its 150-dpi scan is under the 200 dpi asked of an
    // electronic copy.
    let d2 = env.json(&["show", D2]);
    let tp3 = component(&d2, "TP3");
    assert_eq!(tp3["status"], "agrees", "{tp3}");
    assert_eq!(
        tp3["notes"],
        serde_json::json!(["red_ink_ignored", "coarse_paper"]),
        "{tp3}"
    );
    let text = env.run(&["--lang", "vi", "show", D2]).stdout;
    assert!(
        text.contains("    ghi chú: đã bỏ mực đỏ (con dấu) trước khi so"),
        "{text}"
    );
    assert!(
        text.contains("    ghi chú: bản giấy dưới 200 dpi: dấu thanh hay chữ số bị sửa có thể không thấy được"),
        "{text}"
    );
    // D3 TP2: the very same bytes.
    assert_eq!(kinds(&findings(&env, D3, "TP2")), ["byte_identical"]);

    // Badges follow.
    let view = env.json(&["show", D1]);
    let badge = |code: &str| component(&view, code)["status"].clone();
    assert_eq!(badge("TP1"), "agrees");
    assert_eq!(badge("TP2"), "differs");
    assert_eq!(badge("TP3"), "paper_missing");
}

#[test]
fn a_paper_scan_without_electronic_copy_and_decisions_survive_a_rerun() {
    let env = Env::new();
    env.json(&[
        "import".as_ref(),
        fixture("portal/dossiers.json").as_os_str(),
    ]);
    let scan = fixture("images/scan_cccd_150dpi.png");
    env.json(&[
        "ingest",
        "--dossier",
        D1,
        "--component",
        "TP9",
        scan.to_str().unwrap(),
    ]);
    env.json(&["reconcile", D1]);
    let tp9 = findings(&env, D1, "TP9");
    assert_eq!(kinds(&tp9), ["electronic_missing"]);
    let id = tp9[0]["id"].as_i64().unwrap();

    let decided = env.json(&[
        "decide",
        &id.to_string(),
        "--status",
        "resolved",
        "--note",
        "Công dân bổ sung bản điện tử sau",
        "--actor",
        "lan.nt",
    ]);
    assert_eq!(decided[0]["status"], "resolved");
    assert_eq!(decided[0]["actor"], "lan.nt");
    assert!(decided[0]["status_at"].as_str().unwrap().ends_with('Z'));

    env.json(&["reconcile", D1]);
    let again = findings(&env, D1, "TP9");
    assert_eq!(again[0]["id"], id);
    assert_eq!(again[0]["status"], "resolved");
    assert_eq!(again[0]["note"], "Công dân bổ sung bản điện tử sau");
    // Open findings only: the resolved one is gone from the list.
    let open = env.json(&["findings", "--dossier", D1, "--status", "open"]);
    assert!(open.as_array().unwrap().iter().all(|f| f["id"] != id));
    assert_eq!(env.count("SELECT COUNT(*) FROM finding_events"), 1);
}

#[test]
fn unknown_dossier_and_finding_are_clear_errors() {
    let env = Env::new();
    let r = env.run(&["reconcile", "000.00.38.H38-990101-0001"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("no dossier with code 000.00.38.H38-990101-0001"),
        "{}",
        r.stderr
    );
    let r = env.run(&["decide", "42", "--note", "x", "--actor", "a"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no finding with id 42"), "{}", r.stderr);
}
