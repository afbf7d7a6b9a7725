//! The clerk's path through the real app, and a hostile file name.
//! Both need tauri-driver on :4444 under a display: run `scripts/e2e.sh`.

use anyhow::{ensure, Context, Result};
use doisoat_e2e::{fixtures, App};

const DOSSIER: &str = "000.00.38.H38-221125-0001";
/// Its component TP3 is a certificate with a red seal.
const SEALED: &str = "000.00.38.H38-221125-0002";

/// Import a dossier → ingest a paper scan whose page 2 differs → see the
/// finding and its box on the electronic page → resolve it with a note →
/// restart the app → everything is still there → a sealed certificate's
/// component says the seal was set aside.
#[tokio::test(flavor = "current_thread")]
async fn import_ingest_resolve_and_restart() -> Result<()> {
    let data = tempfile::tempdir()?;
    let export = fixtures().join("portal/dossiers.json");
    let scan = fixtures().join(format!("paper/{DOSSIER}_TP2_scan.pdf"));
    ensure!(
        export.is_file() && scan.is_file(),
        "fixtures missing: run the generators (tools/gen)"
    );

    let app = App::start(data.path()).await?;
    ensure!(
        app.text("#list-empty").await?.contains("Chưa có hồ sơ nào"),
        "a fresh data folder starts empty"
    );
    app.screenshot("01-empty-list").await?;

    // Import the portal export.
    let summary = app.import(&export).await?;
    ensure!(summary.contains("hồ sơ mới"), "import summary: {summary}");
    app.screenshot("02-import").await?;

    // Ingest the paper scan into component TP2 and reconcile.
    let reconciled = app.ingest_into(&scan, DOSSIER, "TP2").await?;
    ensure!(
        reconciled.contains("sai lệch"),
        "reconcile summary: {reconciled}"
    );
    app.screenshot("03-intake").await?;

    // Find the dossier by typing, open it, see the finding and its region.
    app.click("#nav-dossiers").await?;
    app.search_and_open("221125-0001", DOSSIER).await?;
    let finding = app
        .wait_css("#findings .finding[data-kind='page_differs']")
        .await?;
    ensure!(
        finding.attr("data-status").await?.as_deref() == Some("open"),
        "the finding starts open"
    );
    // The dossier also has components without paper copies; pick the page finding.
    app.click("#findings .finding[data-kind='page_differs'] .f-head")
        .await?;
    app.wait_css("[data-testid='electronic-page'] .region")
        .await?;
    let both = app
        .wait_true(
            "both pages of the pair to load",
            "return [...document.querySelectorAll(\"[data-testid$='-page'] img\")].filter(i => i.complete && i.naturalWidth > 0).length === 2",
        )
        .await;
    if both.is_err() {
        let html = app
            .eval("return document.querySelector(\"[data-testid='paper-page']\").outerHTML")
            .await?;
        anyhow::bail!("paper page did not load: {html}");
    }
    ensure!(
        app.text("#page-indicator").await?.starts_with("Trang 2/"),
        "the viewer shows the differing page 2"
    );
    // The box sits inside the electronic page and is small.
    let geometry = app
        .eval(
            "const f = document.querySelector(\"[data-testid='electronic-page'] .frame\").getBoundingClientRect();
             const r = document.querySelector(\"[data-testid='electronic-page'] .region\").getBoundingClientRect();
             return [r.left >= f.left - 3, r.right <= f.right + 3, r.top >= f.top - 3, r.bottom <= f.bottom + 3,
                     r.width * r.height < 0.25 * f.width * f.height, r.width > 2, r.height > 2];",
        )
        .await?;
    ensure!(
        geometry == serde_json::json!([true, true, true, true, true, true, true]),
        "region geometry: {geometry}"
    );
    app.screenshot("04-finding").await?;

    // Resolve it with a note.
    app.resolve_finding(
        "page_differs",
        "Nguyễn Thị Đào",
        "Đã đối chiếu bản gốc: chữ số trang 2 chép sai",
    )
    .await?;
    app.screenshot("05-resolved").await?;
    app.quit().await?;

    // Restart on the same data folder: all of it is still there.
    let app = App::start(data.path()).await?;
    app.wait_css(&format!("#dossier-rows .row[data-code='{DOSSIER}']"))
        .await?;
    app.click(&format!("#dossier-rows .row[data-code='{DOSSIER}']"))
        .await?;
    let resolved = app
        .wait_css("#findings .finding[data-kind='page_differs'][data-status='resolved']")
        .await?;
    let text = resolved.text().await?;
    ensure!(
        text.contains("Đã đối chiếu bản gốc: chữ số trang 2 chép sai"),
        "note kept: {text}"
    );
    ensure!(text.contains("Nguyễn Thị Đào"), "actor kept: {text}");
    ensure!(app.count("#findings .finding").await? >= 1, "findings kept");
    let paper = app.text("[data-component='TP2']").await?;
    ensure!(paper.contains("_TP2_scan.pdf"), "paper copy kept: {paper}");
    app.screenshot("06-after-restart").await?;

    // A certificate with a red seal: its copies match, and the component
    // says the seal was set aside before they were compared.
    let sealed = fixtures().join("paper/000.00.38.H38-221125-0002_TP3_scan.png");
    app.ingest_into(&sealed, SEALED, "TP3").await?;
    app.click("#nav-dossiers").await?;
    app.search_and_open("221125-0002", SEALED).await?;
    let note = app
        .wait_css("[data-component='TP3'] .c-note[data-note='red_ink_ignored']")
        .await?
        .text()
        .await?;
    ensure!(
        note == "Đã bỏ mực đỏ (con dấu) trước khi so",
        "red-ink note: {note}"
    );
    // The scan is 150 dpi: under the 200 asked of an electronic copy, so a
    // match there is less sure, and the component says so.
    let coarse = app
        .wait_css("[data-component='TP3'] .c-note[data-note='coarse_paper']")
        .await?
        .text()
        .await?;
    ensure!(
        coarse.starts_with("Bản giấy dưới 200 dpi"),
        "coarse-paper note: {coarse}"
    );
    app.quit().await
}

/// A scan named like an HTML tag is shown as text: no element is created,
/// no script runs.
#[tokio::test(flavor = "current_thread")]
async fn hostile_file_name_is_inert() -> Result<()> {
    let data = tempfile::tempdir()?;
    let files = tempfile::tempdir()?;
    let name = "<img src=x onerror=alert(1)>.pdf";
    let hostile = files.path().join(name);
    let source = std::fs::read_dir(fixtures().join("paper"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|e| e == "pdf"))
        .context("no PDF in fixtures/paper")?;
    std::fs::copy(&source, &hostile)?;

    let app = App::start(data.path()).await?;
    app.eval("window.__alerts = 0; window.alert = () => { window.__alerts += 1; }; return true;")
        .await?;
    app.click("#nav-intake").await?;
    app.type_into("#path-input", hostile.to_str().context("path")?)
        .await?;
    app.click("#path-add").await?;
    ensure!(
        app.text("#pending-files").await?.contains(name),
        "pending list shows the name as text"
    );
    app.click("#start-intake").await?;
    let cell = app.wait_css("#intake-results td.name").await?;
    ensure!(
        cell.text().await? == name,
        "result row shows the literal name"
    );
    ensure!(
        app.count("#intake-results img, #pending-files img, img[src='x']")
            .await?
            == 0,
        "no <img> was created"
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    ensure!(
        app.eval("return window.__alerts").await? == serde_json::json!(0),
        "no script ran"
    );
    app.screenshot("07-hostile-name").await?;
    app.quit().await
}
