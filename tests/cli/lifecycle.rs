//! Lifecycle, deadlines and the office's figures (issue 6), over the
//! 8-dossier sample in fixtures/lifecycle (made by tools/gen/lifecycle.py).
//!
//! Worked out by hand (2022 rules: 1.004227 = 10 working days, 1.013831 = 3;
//! no holidays between 25/11 and 14/12/2022), judged on Mon 05/12/2022:
//! - 221125-0001 due 09/12, result 08/12: early; 221125-0002 result 09/12:
//!   on time (returned by post); 221125-0003 (by post) result 12/12: late;
//!   221125-0004 supplement 30/11 restarts the clock: due 14/12, on time;
//!   221128-0001 due 01/12, result 02/12: late.
//! - So 5 finished, 3 on time: 60 %. Lan 2 of 3, Minh 1 of 2.
//! - Online: 0002 (toàn trình), 0004 (mức độ 3), 221129-0001 (mức độ 4): 3/8.
//! - Post (received or returned): 0002, 0003: 2/8. Digitised: 5/8.
//! - 221128-0002 was due Thu 01/12: overdue by 2 working days (Fri, Mon).
//! - 221201-0001 (received Thu 01/12) is due Tue 06/12: due soon, and its
//!   apology letter is due from Mon 05/12.

use std::path::PathBuf;

use crate::{fixture, Env};

const WINDOW: [&str; 7] = [
    "report",
    "--from",
    "01/11/2022",
    "--to",
    "31/12/2022",
    "--today",
    "05/12/2022",
];

fn close(v: &serde_json::Value, want: f64) {
    let got = v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"));
    assert!((got - want).abs() < 1e-9, "{got} != {want}");
}

fn group<'a>(groups: &'a serde_json::Value, key: &str) -> &'a serde_json::Value {
    groups
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["key"] == key)
        .unwrap_or_else(|| panic!("no group {key}: {groups}"))
}

fn check_sample(r: &serde_json::Value) {
    let t = &r["totals"];
    assert_eq!(t["dossiers"], 8);
    assert_eq!(
        (
            t["finished"].as_u64(),
            t["early"].as_u64(),
            t["on_time"].as_u64(),
            t["late"].as_u64()
        ),
        (Some(5), Some(1), Some(2), Some(2))
    );
    close(&t["on_time_rate"], 0.6);
    close(&t["online_share"], 3.0 / 8.0);
    close(&t["post_share"], 2.0 / 8.0);
    close(&t["digitised_share"], 5.0 / 8.0);
    close(
        &group(&r["by_officer"], "Lan")["figures"]["on_time_rate"],
        2.0 / 3.0,
    );
    close(
        &group(&r["by_officer"], "Minh")["figures"]["on_time_rate"],
        0.5,
    );
    assert_eq!(
        group(&r["by_procedure"], "1.013831.H38")["figures"]["dossiers"],
        3
    );
    assert_eq!(group(&r["by_month"], "2022-12")["figures"]["dossiers"], 1);
    assert_eq!(r["overdue_total"], 1);
    let overdue = r["overdue"].as_array().unwrap();
    assert_eq!(overdue.len(), 1, "{overdue:?}");
    assert_eq!(overdue[0]["code"], "000.00.38.H38-221128-0002");
    assert_eq!(overdue[0]["due"], "01/12/2022");
    assert_eq!(overdue[0]["working_days"], 2);
    let soon = r["due_soon"].as_array().unwrap();
    assert_eq!(soon.len(), 1);
    assert_eq!(soon[0]["code"], "000.00.38.H38-221201-0001");
    assert_eq!(soon[0]["due"], "06/12/2022");
    assert_eq!(r["apology_due"][0]["apology_from"], "05/12/2022");
}

#[test]
fn csv_sample_gives_the_hand_worked_figures_and_reimport_changes_nothing() {
    let env = Env::new();
    let csv = fixture("lifecycle/sample.csv");
    assert_eq!(env.run(&["import".as_ref(), csv.as_os_str()]).code, 0);
    let r = env.json(&WINDOW);
    check_sample(&r);
    assert!(
        r["totals"]["agreement_share"].is_null(),
        "nothing reconciled yet"
    );
    let events = env.count("SELECT COUNT(*) FROM lifecycle_events");
    let rerun = env.json(&["import".as_ref(), csv.as_os_str()]);
    assert_eq!(rerun["already_imported"], true);
    assert_eq!(env.count("SELECT COUNT(*) FROM lifecycle_events"), events);
    assert_eq!(env.json(&WINDOW), r);

    // Agreement and findings come from the reconciliation tables.
    let db = env.db();
    let id = |code: &str| -> i64 {
        db.query_row("SELECT id FROM dossiers WHERE code = ?1", [code], |r| {
            r.get(0)
        })
        .unwrap()
    };
    let (a, b) = (
        id("000.00.38.H38-221125-0001"),
        id("000.00.38.H38-221125-0003"),
    );
    db.execute_batch(&format!(
        "INSERT INTO reconciliations (dossier_id, component_code, paper_sha256, electronic_sha256, verdict, at)
         VALUES ({a}, 'DON', NULL, NULL, 'match', 't'), ({a}, 'GCN', NULL, NULL, 'match', 't'),
                                            ({b}, 'DON', NULL, NULL, 'match', 't'), ({b}, 'GCN', NULL, NULL, 'mismatch', 't');
         INSERT INTO findings (dossier_id, component_code, kind, identity, created_at, status) VALUES
             ({b}, 'GCN', 'text_changed', 'x', 't', 'open'), ({a}, 'DON', 'text_changed', 'y', 't', 'resolved');"
    ))
    .unwrap();
    let r = env.json(&WINDOW);
    assert_eq!(r["totals"]["reconciled"], 2);
    close(&r["totals"]["agreement_share"], 0.5);
    assert_eq!(r["totals"]["open_findings"], 1);
    assert_eq!(
        group(&r["by_officer"], "Minh")["figures"]["open_findings"],
        1
    );
}

#[test]
fn xlsx_export_with_merged_cells_and_serial_dates_imports_like_the_csv() {
    let env = Env::new();
    let x = fixture("lifecycle/sample.xlsx");
    let imp = env.json(&["import".as_ref(), x.as_os_str()]);
    assert_eq!(imp["format"], "xlsx");
    assert_eq!(imp["added"], 8);
    check_sample(&env.json(&WINDOW));
    // The merged officer cell reached both rows; the raw workbook is in the store.
    let officers = env.count("SELECT COUNT(*) FROM lifecycle WHERE officer IS NOT NULL");
    assert_eq!(officers, 8);
    let sha = crate::sha256_of(&x);
    assert!(
        env.objects()
            .iter()
            .any(|p| p.to_string_lossy().contains(&sha[2..])),
        "raw XLSX kept in the store"
    );
}

#[test]
fn xlsx_import_with_a_chosen_preset() {
    let env = Env::new();
    let x = fixture("lifecycle/sample.xlsx");
    // A preset that names the code column differently finds no code column.
    let saved = env.run(&["preset", "Khác", "MaHoSo=Số hồ sơ cũ"]);
    assert_eq!(saved.code, 0, "{}", saved.stderr);
    let r = env.run(&[
        "import".as_ref(),
        x.as_os_str(),
        "--preset".as_ref(),
        "Khác".as_ref(),
    ]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("dossier code"), "{}", r.stderr);
    let r = env.run(&[
        "import".as_ref(),
        x.as_os_str(),
        "--preset".as_ref(),
        "không có".as_ref(),
    ]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("không có"), "{}", r.stderr);
    assert_eq!(env.count("SELECT COUNT(*) FROM dossiers"), 0);
    let imp = env.json(&[
        "import".as_ref(),
        x.as_os_str(),
        "--preset".as_ref(),
        "built-in".as_ref(),
    ]);
    assert_eq!(imp["added"], 8);
    check_sample(&env.json(&WINDOW));
}

#[test]
fn broken_xlsx_and_bad_rows_get_clear_errors() {
    let env = Env::new();
    let r = env.run(&[
        "import".as_ref(),
        fixture("lifecycle/broken.xlsx").as_os_str(),
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("broken.xlsx") && r.stderr.contains("not a readable XLSX workbook"),
        "{}",
        r.stderr
    );
    let r = env.run(&[
        "--lang".as_ref(),
        "vi".as_ref(),
        "import".as_ref(),
        fixture("lifecycle/broken.xlsx").as_os_str(),
    ]);
    assert!(r.stderr.contains("tệp nhập không hợp lệ"), "{}", r.stderr);
    // Sheet row 5 (title, blank, header, first row above it) has 31/02.
    let r = env.run(&[
        "import".as_ref(),
        fixture("lifecycle/bad-row.xlsx").as_os_str(),
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("line 5") && r.stderr.contains("31/02/2022"),
        "{}",
        r.stderr
    );
    assert_eq!(env.count("SELECT COUNT(*) FROM dossiers"), 0);
}

#[test]
fn events_keep_who_and_when_and_a_supplement_restarts_the_clock() {
    let env = Env::new();
    assert_eq!(
        env.run(&[
            "import".as_ref(),
            fixture("lifecycle/sample.csv").as_os_str()
        ])
        .code,
        0
    );
    let code = "000.00.38.H38-221129-0001";
    let v = env.json(&["lifecycle", code]);
    assert_eq!(v["due"], "13/12/2022");
    assert_eq!(v["channel"], "online_full");
    let v = env.json(&[
        "event",
        code,
        "supplement_requested",
        "--at",
        "01/12/2022 09:00",
        "--actor",
        "Minh",
        "--note",
        "thiếu hợp đồng",
    ]);
    assert_eq!(v["state"], "supplement_requested");
    let v = env.json(&[
        "event",
        code,
        "supplement_received",
        "--at",
        "07/12/2022 10:00",
        "--actor",
        "Lan",
    ]);
    // 10 working days from Thu 08/12: 08,09,12..16,19,20,21 → Wed 21/12.
    assert_eq!(v["due"], "21/12/2022");
    // Public posting 12/12..16/12 does not count: five more working days.
    let v = env.json(&[
        "wait",
        code,
        "--from",
        "12/12/2022",
        "--to",
        "16/12/2022",
        "--reason",
        "niêm yết công khai",
    ]);
    assert_eq!(v["due"], "28/12/2022");
    let v = env.json(&[
        "event",
        code,
        "result_ready",
        "--at",
        "28/12/2022",
        "--actor",
        "Minh",
    ]);
    assert_eq!(v["outcome"], "on_time");
    let history: Vec<(String, String)> = v["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["state"].as_str().unwrap().to_string(),
                h["actor"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        history,
        [
            ("received", "import"),
            ("supplement_requested", "Minh"),
            ("supplement_received", "Lan"),
            ("result_ready", "Minh")
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    assert_eq!(v["history"][1]["note"], "thiếu hợp đồng");
    // A finished dossier cannot go back.
    let r = env.run(&[
        "event",
        code,
        "processing",
        "--at",
        "29/12/2022",
        "--actor",
        "Minh",
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("cannot become 'processing'"),
        "{}",
        r.stderr
    );
}

#[test]
fn report_prints_a_vietnamese_table() {
    let env = Env::new();
    assert_eq!(
        env.run(&[
            "import".as_ref(),
            fixture("lifecycle/sample.csv").as_os_str()
        ])
        .code,
        0
    );
    let mut args = vec!["--lang", "vi"];
    args.extend(WINDOW);
    let r = env.run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("đúng hạn") && r.stdout.contains("60,0%") && r.stdout.contains("11/2022"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("Quá hạn: 1") && r.stdout.contains("000.00.38.H38-221128-0002"),
        "{}",
        r.stdout
    );
}

/// Imports the sample export, then writes the Vietnamese report over
/// [`WINDOW`] to `name` in the test's folder with `flag` (`--xlsx`, `--pdf`).
fn sample_report_to(name: &str, flag: &str) -> (Env, PathBuf) {
    let env = Env::new();
    assert_eq!(
        env.run(&[
            "import".as_ref(),
            fixture("lifecycle/sample.csv").as_os_str()
        ])
        .code,
        0
    );
    let out = env.tmp.path().join(name);
    let mut args: Vec<std::ffi::OsString> = ["--lang", "vi"]
        .iter()
        .chain(WINDOW.iter())
        .map(Into::into)
        .collect();
    args.push(flag.into());
    args.push(out.clone().into());
    let r = env.run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    (env, out)
}

#[test]
fn report_exports_an_xlsx_that_reads_back() {
    use calamine::{Data, Reader};
    let (_env, out) = sample_report_to("báo cáo.xlsx", "--xlsx");
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&out).unwrap();
    assert_eq!(
        book.sheet_names(),
        vec!["Số liệu".to_string(), "Hạn xử lý".to_string()]
    );
    let figures = book.worksheet_range("Số liệu").unwrap();
    assert_eq!(
        figures.get_value((2, 6)),
        Some(&Data::String("Tỷ lệ đúng hạn".into()))
    );
    assert_eq!(
        figures.get_value((3, 0)),
        Some(&Data::String("Tổng".into()))
    );
    assert_eq!(figures.get_value((3, 1)), Some(&Data::Float(8.0)));
    assert_eq!(figures.get_value((3, 6)), Some(&Data::Float(0.6)));
    let lists = book.worksheet_range("Hạn xử lý").unwrap();
    assert_eq!(
        lists.get_value((1, 0)),
        Some(&Data::String("Quá hạn".into()))
    );
    assert_eq!(
        lists.get_value((1, 1)),
        Some(&Data::String("000.00.38.H38-221128-0002".into()))
    );
}

#[test]
fn report_exports_a_pdf_whose_vietnamese_heading_renders_and_reads() {
    let (_env, out) = sample_report_to("báo cáo.pdf", "--pdf");
    // Rendered by PDFium (doisoat-pages) at 200 dpi.
    let doc = doisoat_pages::open(&out).unwrap();
    assert!(doc.page_count() >= 1);
    let page = doc.render(0, 200.0).unwrap();
    assert!(page.has_text, "the report carries a text layer");
    let grey = image::DynamicImage::ImageRgb8(page.image.clone()).to_luma8();
    let px = |mm: f32| (mm / 25.4 * page.dpi).round() as u32;
    // The heading sits in the top band, inside the 18 mm margins: OCR it.
    let heading =
        image::imageops::crop_imm(&grey, px(15.0), px(15.0), px(180.0), px(14.0)).to_image();
    let ink = |img: &image::GrayImage| img.pixels().filter(|p| p.0[0] < 128).count();
    assert!(ink(&heading) > 500, "no ink where the heading should be");
    let text =
        doisoat_compare::ocr::read(&heading, page.dpi, doisoat_compare::ocr::READ_DPI).unwrap();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains("Báo cáo tình hình giải quyết hồ sơ"),
        "OCR read '{text}'"
    );
    // The right half of the margin stays blank; the monthly bars have colour.
    let margin = image::imageops::crop_imm(&grey, px(200.0), 0, px(10.0), px(297.0)).to_image();
    assert_eq!(ink(&margin), 0, "ink in the right margin");
    let coloured = page
        .image
        .pixels()
        .filter(|p| {
            let [r, g, b] = p.0;
            (i32::from(b) - i32::from(r)).abs() > 60 || (i32::from(r) - i32::from(g)).abs() > 60
        })
        .count();
    assert!(
        coloured > 2000,
        "no chart bars ({coloured} coloured pixels)"
    );
}
