//! The supervisor's dashboard in the real app: an imported XLSX export with
//! an unfinished 2022 dossier shows it as overdue, and both exports (XLSX and
//! PDF, written into the data folder's `exports/`) open: the workbook parses
//! back with calamine, the PDF renders with PDFium (doisoat-pages) to a PNG
//! in artifacts/e2e/ that has ink where the heading is. The store check in
//! the footer runs a round when asked and reports it with its time; the
//! dashboard shows its schedule.
//! Needs tauri-driver on :4444 under a display: run `scripts/e2e.sh dashboard`.

use anyhow::{ensure, Context, Result};
use calamine::{Data, Reader};
use doisoat_e2e::{fixtures, is_day_and_minute, repo_root, App};

const OVERDUE: &str = "000.00.38.H38-221128-0002";

#[tokio::test(flavor = "current_thread")]
async fn dashboard_shows_overdue_and_exports_open() -> Result<()> {
    let data = tempfile::tempdir()?;
    let export = fixtures().join("lifecycle/sample.xlsx");
    ensure!(
        export.is_file(),
        "fixtures missing: run the generators (tools/gen)"
    );

    let app = App::start(data.path()).await?;
    // Import the XLSX export through the Import screen (preset: automatic).
    let summary = app.import(&export).await?;
    ensure!(summary.contains("8"), "import summary: {summary}");

    // The dashboard lists the unfinished dossier due 01/12/2022 as overdue.
    app.click("#nav-dashboard").await?;
    app.wait_css("#overdue tr.overdue").await?;
    let overdue = app.text("#overdue").await?;
    ensure!(overdue.contains(OVERDUE), "overdue list: {overdue}");
    ensure!(overdue.contains("01/12/2022"), "overdue list: {overdue}");
    let total: u64 = app.text("#overdue-total").await?.trim().parse()?;
    ensure!(total >= 1, "overdue total {total}");
    ensure!(app.text("#fig-dossiers").await?.trim() == "8", "8 dossiers");
    app.screenshot("dashboard-01").await?;

    // Export as XLSX: the path is shown; the workbook reads back.
    app.click("#dash-export-xlsx").await?;
    let xlsx = std::path::PathBuf::from(app.text("#dash-exported").await?.trim());
    ensure!(
        xlsx.starts_with(data.path().join("exports")),
        "{}",
        xlsx.display()
    );
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook(&xlsx).with_context(|| xlsx.display().to_string())?;
    let figures = book.worksheet_range("Số liệu")?;
    ensure!(figures.get_value((3, 0)) == Some(&Data::String("Tổng".into())));
    ensure!(figures.get_value((3, 1)) == Some(&Data::Float(8.0)));
    let lists = book.worksheet_range("Hạn xử lý")?;
    let codes: Vec<String> = lists.rows().map(|r| r[1].to_string()).collect();
    ensure!(codes.iter().any(|c| c == OVERDUE), "{codes:?}");

    // Export as PDF: render page 1 to a PNG and look at it.
    app.click("#dash-export-pdf").await?;
    app.wait_true(
        "the PDF's path",
        "return (document.querySelector('#dash-exported')?.textContent ?? '').endsWith('.pdf')",
    )
    .await?;
    let pdf = std::path::PathBuf::from(app.text("#dash-exported").await?.trim());
    ensure!(pdf.is_file(), "{}", pdf.display());
    app.screenshot("dashboard-02-exported").await?;
    let doc = doisoat_pages::open(&pdf)?;
    let page = doc.render(0, 100.0)?;
    ensure!(page.has_text, "the PDF has a text layer");
    let dir = std::env::var_os("E2E_ARTIFACTS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| repo_root().join("artifacts/e2e"));
    std::fs::create_dir_all(&dir)?;
    let png = dir.join("dashboard-report-page1.png");
    page.image.save(&png)?;
    let px = |mm: f32| (mm / 25.4 * page.dpi).round() as u32;
    let heading = image::imageops::crop_imm(&page.image, px(15.0), px(15.0), px(180.0), px(14.0));
    let ink = heading.to_image().pixels().filter(|p| p.0[0] < 128).count();
    ensure!(ink > 100, "no heading ink in {}", png.display());
    let blank_margin = image::imageops::crop_imm(&page.image, px(200.0), 0, px(10.0), px(297.0));
    ensure!(
        blank_margin.to_image().pixels().all(|p| p.0[0] > 200),
        "ink in the right margin of {}",
        png.display()
    );

    // The store check: the dashboard shows the default schedule; a round
    // started from the footer reports on the store, with its time.
    app.wait_css("#store-check-panel").await?;
    let pace = app
        .eval("return document.querySelector('#fixity-pace').value")
        .await?;
    ensure!(pace == serde_json::json!("20"), "pace {pace}");
    app.click("#fixity-check-now").await?;
    app.wait_true(
        "a fixity round",
        "return /\\(\\d{2}\\/\\d{2}\\/\\d{4} \\d{2}:\\d{2}\\)/.test(document.querySelector('#fixity-summary')?.textContent ?? '')",
    )
    .await?;
    let summary = app.text("#fixity-summary").await?;
    // An XLSX import brings no files: the store is empty.
    ensure!(summary.contains("kho chưa có tệp nào"), "{summary}");
    let when = summary
        .rsplit_once('(')
        .and_then(|(_, w)| w.split_once(')'))
        .map(|(w, _)| w.to_string())
        .unwrap_or_default();
    ensure!(is_day_and_minute(&when), "{summary}");
    app.eval("document.querySelector('#store-check-panel').scrollIntoView(); return true")
        .await?;
    app.screenshot("dashboard-03-store-check").await?;
    app.quit().await
}
