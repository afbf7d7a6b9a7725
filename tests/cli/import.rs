//! `doisoat import`: portal JSON and CSV, bad rows, re-imports.

use crate::{component, fixture, Env, D1, D2, D3};

#[test]
fn portal_json_array_with_files_beside_it() {
    let env = Env::new();
    let r = env.json(&[
        "import".as_ref(),
        fixture("portal/dossiers.json").as_os_str(),
    ]);
    assert_eq!(r["imported"], true);
    assert_eq!(r["added"], 3);
    assert_eq!(r["bad_rows"], serde_json::json!([]));
    // Four components each; the deleted old upload of D3 TP1 is skipped.
    assert_eq!(r["files_linked"], 12);
    assert_eq!(
        env.count("SELECT COUNT(*) FROM copies WHERE side = 'electronic'"),
        12
    );

    let d1 = env.json(&["show", D1]);
    assert_eq!(d1["dossier"]["applicant_name"], "Nguyễn Văn Đức");
    assert_eq!(d1["dossier"]["procedure_code"], "1.004227");
    assert_eq!(
        d1["dossier"]["received_date"].as_str().unwrap().len(),
        10,
        "dd/mm/yyyy"
    );
    assert!(d1["dossier"]["received_at"]
        .as_str()
        .unwrap()
        .ends_with("+07:00"));
    // Unknown fields are kept.
    let extra: serde_json::Value =
        serde_json::from_str(d1["extra_json"].as_str().unwrap()).unwrap();
    assert!(extra.get("ThongTinMoRong").is_some(), "{extra}");
    // The entry without DuongDanTaiTepTin is found by TenTepDinhKem.
    let d2 = env.json(&["show", D2]);
    let tp4 = component(&d2, "TP4");
    assert_eq!(tp4["electronic"].as_array().unwrap().len(), 1);
    let d3 = env.json(&["show", D3]);
    let tp1 = component(&d3, "TP1");
    assert_eq!(
        tp1["electronic"].as_array().unwrap().len(),
        1,
        "deleted upload skipped"
    );
}

#[test]
fn reimporting_changes_nothing() {
    let env = Env::new();
    let file = fixture("portal/dossiers.json");
    env.json(&["import".as_ref(), file.as_os_str()]);
    let snapshot = |env: &Env| {
        (
            env.count("SELECT COUNT(*) FROM dossiers"),
            env.count("SELECT COUNT(*) FROM copies"),
            env.count("SELECT COUNT(*) FROM files"),
            env.db()
                .query_row("SELECT group_concat(updated_at) FROM dossiers", [], |r| {
                    r.get::<_, String>(0)
                })
                .unwrap(),
            env.objects().len(),
        )
    };
    let before = snapshot(&env);
    let again = env.json(&["import".as_ref(), file.as_os_str()]);
    assert_eq!(again["already_imported"], true);
    assert_eq!(snapshot(&env), before);
    // The same records in a differently formatted file: recognised row by row.
    let copy = env.tmp.path().join("export/dossiers.json");
    std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    std::fs::write(&copy, serde_json::to_vec(&v).unwrap()).unwrap();
    copy_dir(
        &fixture("portal/electronic"),
        &copy.parent().unwrap().join("electronic"),
    );
    std::fs::copy(
        fixture("portal/000.00.38.H38-221125-0002_TP4.pdf"),
        copy.parent()
            .unwrap()
            .join("000.00.38.H38-221125-0002_TP4.pdf"),
    )
    .unwrap();
    let third = env.json(&["import".as_ref(), copy.as_os_str()]);
    assert_eq!(third["already_imported"], false);
    assert_eq!(
        (
            third["added"].as_u64(),
            third["updated"].as_u64(),
            third["unchanged"].as_u64()
        ),
        (Some(0), Some(0), Some(3))
    );
    assert_eq!(third["files_linked"], 0);
    assert_eq!(snapshot(&env), before);
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

#[test]
fn a_single_dossier_object_imports() {
    let env = Env::new();
    let r = env.json(&["import".as_ref(), fixture("portal/single.json").as_os_str()]);
    assert_eq!(r["added"], 1);
    assert_eq!(r["files_linked"], 1);
}

#[test]
fn csv_dossier_list() {
    let env = Env::new();
    let r = env.json(&[
        "import".as_ref(),
        fixture("portal/dossiers.csv").as_os_str(),
    ]);
    assert_eq!(r["format"], "csv");
    assert_eq!(r["added"], 5);
    // Search folds diacritics and đ.
    let found = env.json(&["dossiers", "nguyen van duc"]);
    assert_eq!(found["total"], 1);
    assert_eq!(found["rows"][0]["code"], D1);
    let found = env.json(&["dossiers", "DUC"]);
    assert!(found["rows"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["code"] == D1));
}

#[test]
fn bad_rows_import_nothing_and_are_listed_with_line_and_reason() {
    let env = Env::new();
    let file = fixture("portal/bad_rows.csv");
    let r = env
        .command()
        .args(["--json", "import"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(v["imported"], false);
    let bad: Vec<(u64, String)> = v["bad_rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["line"].as_u64().unwrap(),
                b["reason"]["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        bad,
        vec![(4, "missing_code".to_string()), (6, "bad_date".to_string())]
    );
    let stderr = String::from_utf8_lossy(&r.stderr);
    assert!(
        stderr.contains("line 6") && stderr.contains("29-11-2022 09:30"),
        "{stderr}"
    );
    assert_eq!(env.count("SELECT COUNT(*) FROM dossiers"), 0);

    let r = env.json(&[
        "import".as_ref(),
        "--skip-invalid".as_ref(),
        file.as_os_str(),
    ]);
    assert_eq!(r["imported"], true);
    assert_eq!(r["added"], 4);
    assert_eq!(r["flagged"][0]["code"], "H38.22.08-221129-0014");
    assert_eq!(r["flagged"][0]["check"], "odd_shape");
    assert_eq!(
        env.count("SELECT COUNT(*) FROM dossiers WHERE code_check = 'odd_shape'"),
        1
    );
}

#[test]
fn bad_json_rows_name_the_missing_code_and_the_missing_file() {
    let env = Env::new();
    let r = env
        .command()
        .args(["--json", "import"])
        .arg(fixture("portal/bad_rows.json"))
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    let reasons: Vec<&str> = v["bad_rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["reason"]["code"].as_str().unwrap())
        .collect();
    assert!(reasons.contains(&"missing_code"), "{v}");
    assert!(reasons.contains(&"file_not_found"), "{v}");
    assert!(v["bad_rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|b| b["line"].as_u64().unwrap() > 1));
    assert_eq!(env.count("SELECT COUNT(*) FROM dossiers"), 0);
    assert_eq!(env.count("SELECT COUNT(*) FROM copies"), 0);
}

#[test]
fn malformed_json_is_a_clear_error() {
    let env = Env::new();
    let f = env.tmp.path().join("hỏng.json");
    std::fs::write(&f, "[{\"MaHoSo\": \"000.00.38.H38-221125-0001\",").unwrap();
    let r = env.run(&["import".as_ref(), f.as_os_str()]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("hỏng.json") && r.stderr.contains("not valid JSON at line 1"),
        "{}",
        r.stderr
    );
}

#[test]
fn unsafe_paths_in_an_export_are_refused() {
    let env = Env::new();
    let dir = env.tmp.path().join("export");
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("x.json");
    std::fs::write(
        &f,
        r#"{"MaHoSo":"000.00.38.H38-221125-0009","TaiLieuNop":[{"MaThanhPhanHoSo":"TP1","DuongDanTaiTepTin":"../../etc/passwd"}]}"#,
    )
    .unwrap();
    let r = env
        .command()
        .args(["--json", "import"])
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(v["bad_rows"][0]["reason"]["code"], "unsafe_path");
}
