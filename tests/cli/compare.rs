//! `doisoat compare`: the contract of contracts/compare.md (exit codes, JSON).

use std::path::Path;
use std::process::Output;

use crate::{fixture, Env};

/// Runs `doisoat FLAGS… compare PAPER ELECTRONIC`.
fn compare(env: &Env, flags: &[&str], paper: &Path, electronic: &Path) -> Output {
    env.command()
        .args(flags)
        .arg("compare")
        .arg(paper)
        .arg(electronic)
        .output()
        .unwrap()
}

#[test]
fn matching_copies_exit_0_with_the_contract_json() {
    let env = Env::new();
    let paper = fixture("paper/000.00.38.H38-221125-0001_TP1_scan.pdf");
    let electronic = fixture("portal/electronic/000.00.38.H38-221125-0001_TP1.pdf");
    let r = compare(&env, &["--json"], &paper, &electronic);
    let v: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(r.status.code(), Some(0), "{v}");
    assert_eq!(v["verdict"], "match");
    assert_eq!(v["paper"]["pages"], 2);
    assert_eq!(v["paper"]["sha256"], crate::sha256_of(&paper));
    assert_eq!(v["electronic"]["file"], electronic.to_str().unwrap());
    for p in v["pages"].as_array().unwrap() {
        assert_eq!(p["status"], "same");
        let s = p["similarity"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&s));
    }
    // The rescan is 150 dpi, under the 200 asked of an electronic copy:
    // the JSON notes each page, and the text says it once, naming both.
    let coarse: Vec<u64> = v["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "coarse_paper" && n["side"] == "paper")
        .map(|n| n["page"].as_u64().unwrap())
        .collect();
    assert_eq!(coarse, [1, 2], "{v}");
    let vi =
        String::from_utf8(compare(&env, &["--lang", "vi"], &paper, &electronic).stdout).unwrap();
    let said: Vec<&str> = vi.lines().filter(|l| l.contains("dưới 200 dpi")).collect();
    assert_eq!(
        said,
        ["  ghi chú: giấy 1, 2: bản giấy dưới 200 dpi: dấu thanh hay chữ số bị sửa có thể không thấy được; nên quét lại ở 200 dpi trở lên"],
        "{vi}"
    );
    // Nothing was written anywhere: compare needs no data folder.
    assert!(!env.data().exists());
}

#[test]
fn a_changed_digit_exits_1_and_names_the_page() {
    let env = Env::new();
    let r = compare(
        &env,
        &["--json"],
        &fixture("paper/000.00.38.H38-221125-0001_TP2_scan.pdf"),
        &fixture("portal/electronic/000.00.38.H38-221125-0001_TP2.pdf"),
    );
    assert_eq!(r.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(v["verdict"], "mismatch");
    let differing: Vec<_> = v["pages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["status"] == "different")
        .collect();
    assert_eq!(differing.len(), 1, "{v}");
    assert_eq!(differing[0]["electronic_page"], 2);
    assert!(!differing[0]["regions"].as_array().unwrap().is_empty());
}

#[test]
fn a_missing_page_is_reported_with_null() {
    let env = Env::new();
    let r = compare(
        &env,
        &["--json"],
        &fixture("paper/000.00.38.H38-221125-0002_TP1_scan.pdf"),
        &fixture("portal/electronic/000.00.38.H38-221125-0002_TP1.pdf"),
    );
    assert_eq!(r.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    let missing = v["pages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["status"] == "missing_from_paper")
        .unwrap();
    assert!(missing["paper_page"].is_null());
    assert_eq!(missing["electronic_page"], 2);
}

#[test]
fn trouble_exits_2_with_an_error_object() {
    let env = Env::new();
    let bad = fixture("bad/encrypted.pdf");
    let r = compare(
        &env,
        &["--json"],
        &fixture("images/scan_gcn_150dpi.jpg"),
        &bad,
    );
    assert_eq!(r.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(v["error"]["code"], "pdf_encrypted");
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains(bad.to_str().unwrap()));
    assert!(String::from_utf8_lossy(&r.stderr).contains("encrypted.pdf"));
}

#[test]
fn a_born_digital_copy_names_the_change_from_its_text_layer() {
    // The electronic TP2 is born-digital: its text layer says "120,5" where
    // the paper scan (page 2) reads "126,5". The electronic side of the
    // change is the layer's exact word; only the paper is read by OCR.
    let env = Env::new();
    let paper = fixture("paper/000.00.38.H38-221125-0001_TP2_scan.pdf");
    let electronic = fixture("portal/electronic/000.00.38.H38-221125-0001_TP2.pdf");
    let r = compare(&env, &["--json"], &paper, &electronic);
    assert_eq!(r.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    let pages = v["pages"].as_array().unwrap();
    let changed = pages.iter().find(|p| p["electronic_page"] == 2).unwrap();
    assert_eq!(changed["status"], "different", "{v}");
    assert_eq!(
        changed["text"],
        serde_json::json!([{"electronic": "120,5", "paper": "126,5"}]),
        "{v}"
    );
    // The pages that match carry no text.
    for p in pages.iter().filter(|p| p["electronic_page"] != 2) {
        assert_eq!(p["status"], "same", "{v}");
        assert!(p.get("text").is_none(), "{v}");
    }

    // The same change, as a person reads it.
    let r = compare(&env, &["--lang", "vi"], &paper, &electronic);
    assert_eq!(r.status.code(), Some(1));
    let out = String::from_utf8_lossy(&r.stdout);
    assert!(out.contains("\"120,5\" → \"126,5\""), "{out}");
}

#[test]
fn the_text_output_says_what_was_set_aside() {
    // A certificate with a red seal: the JSON carries the note, and the
    // text output says it in the reader's language.
    let env = Env::new();
    let paper = fixture("paper/000.00.38.H38-221125-0002_TP3_scan.png");
    let electronic = fixture("portal/electronic/000.00.38.H38-221125-0002_TP3.pdf");
    let r = compare(&env, &["--json"], &paper, &electronic);
    let v: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    let red = v["notes"]
        .as_array()
        .and_then(|n| n.iter().find(|n| n["kind"] == "red_ink_ignored"))
        .unwrap_or_else(|| panic!("no red-ink note: {v}"))
        .clone();
    let (side_vi, side_en) = if red["side"] == "paper" {
        ("giấy", "paper")
    } else {
        ("điện tử", "electronic")
    };
    let vi =
        String::from_utf8(compare(&env, &["--lang", "vi"], &paper, &electronic).stdout).unwrap();
    let line = format!(
        "ghi chú: {side_vi} {}: đã bỏ mực đỏ (con dấu) trước khi so",
        red["page"]
    );
    assert!(vi.contains(&line), "{line}\n{vi}");
    let en =
        String::from_utf8(compare(&env, &["--lang", "en"], &paper, &electronic).stdout).unwrap();
    let line = format!(
        "note: {side_en} {}: red ink (a stamp) set aside before comparing",
        red["page"]
    );
    assert!(en.contains(&line), "{line}\n{en}");
}
