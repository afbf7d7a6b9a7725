//! Scanning from the real app through SANE's virtual `test` device
//! (scripts/e2e.sh points SANE_CONFIG_DIR at tests/sane): pick the device,
//! scan the feeder with a live page counter, see a thumbnail per page,
//! rescan one and insert one, store the batch into a dossier's component,
//! then open the dossier and see the pages; a batch stored with no
//! component shows under "no component".
//! Needs tauri-driver under a display: run `scripts/e2e.sh scan`.

use anyhow::{ensure, Result};
use doisoat_e2e::{fixtures, is_day_and_minute, App};

const DOSSIER: &str = "000.00.38.H38-221125-0001";
/// The test device's feeder holds 10 sheets.
const FEEDER: usize = 10;

/// The ids of the batch's pages, in order, as the panel lists them.
async fn page_ids(app: &App) -> Result<Vec<String>> {
    let ids = app
        .eval(
            "return [...document.querySelectorAll('#scan-thumbs li.page')].map(p => p.dataset.id);",
        )
        .await?;
    Ok(serde_json::from_value(ids)?)
}

async fn wait_pages(app: &App, n: usize) -> Result<()> {
    app.wait_true(
        &format!("{n} pages with their thumbnails"),
        &format!(
            "const p = document.querySelector('#scan-pages'); const imgs = [...document.querySelectorAll('#scan-thumbs li.page img')];
             return !!p && p.dataset.pages === '{n}' && imgs.length === {n} && imgs.every(i => i.complete && i.naturalWidth > 0)"
        ),
    )
    .await
}

#[tokio::test(flavor = "current_thread")]
async fn scan_a_batch_into_a_dossier_and_see_its_pages() -> Result<()> {
    let data = tempfile::tempdir()?;
    let export = fixtures().join("portal/dossiers.json");
    ensure!(
        export.is_file(),
        "fixtures missing: run the generators (tools/gen)"
    );
    let app = App::start(data.path()).await?;
    app.import(&export).await?;

    // The intake screen lists SANE's devices; pick the feeder of test:0.
    app.click("#nav-intake").await?;
    app.select("#scan-device", "test:0").await?;
    app.select("#scan-source", "adf").await?;
    app.select("#scan-dpi", "200").await?;
    app.select("#scan-mode", "colour").await?;
    let start = app.text("#scan-start").await?;
    ensure!(start.contains("Bắt đầu quét"), "start button: {start}");

    // Record every value the live counter shows while the batch runs.
    app.eval(
        "window.scanCounts = [];
         new MutationObserver(() => {
           const c = document.querySelector('#scan-counter');
           if (c) window.scanCounts.push(Number(c.dataset.pages));
         }).observe(document.querySelector('#scan-panel'), { subtree: true, childList: true, characterData: true, attributes: true });
         return true;",
    )
    .await?;
    app.click("#scan-start").await?;
    wait_pages(&app, FEEDER).await?;
    let counts: Vec<u64> = serde_json::from_value(app.eval("return window.scanCounts;").await?)?;
    ensure!(
        counts.iter().any(|&n| n >= 1),
        "the counter counted pages while scanning: {counts:?}"
    );
    ensure!(
        counts.windows(2).all(|w| w[0] <= w[1]) && counts.iter().all(|&n| n <= FEEDER as u64),
        "the counter only goes up, to at most {FEEDER}: {counts:?}"
    );
    let summary = app.text("#scan-pages").await?;
    ensure!(
        summary.contains(&format!("Lô đang quét: {FEEDER} trang")),
        "batch summary: {summary}"
    );
    ensure!(
        app.eval("return document.querySelector('#scan-pages').dataset.stopped;")
            .await?
            == "finished",
        "the feeder ran empty"
    );

    // Rescan page 2 (a new page in its place), insert a page before page 1.
    let before = page_ids(&app).await?;
    app.click("#scan-thumbs li.page[data-page='2'] button.rescan")
        .await?;
    app.wait_true(
        "page 2 to be replaced",
        &format!(
            "const p = document.querySelector(\"#scan-thumbs li.page[data-page='2']\"); return !!p && p.dataset.id !== '{}'",
            before[1]
        ),
    )
    .await?;
    app.click("#scan-thumbs li.page[data-page='1'] button.insert")
        .await?;
    wait_pages(&app, FEEDER + 1).await?;
    let after = page_ids(&app).await?;
    ensure!(
        after[1] == before[0] && after[3..] == before[2..] && !before.contains(&after[2]),
        "insert before page 1, rescanned page 2: {before:?} → {after:?}"
    );
    // The window paints a moment after the page changes under load.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    app.screenshot("09-scan-batch").await?;

    // Store it as the paper copy of component TP2 of the dossier.
    app.click("#scan-link").await?;
    app.type_into("#scan-dossier", DOSSIER).await?;
    app.type_into("#scan-component", "TP2").await?;
    app.click("#scan-store").await?;
    let result = app.wait_css("#scan-result[data-kept='false']").await?;
    let text = result.text().await?;
    ensure!(
        text.contains("1 tệp đã lưu") && text.contains(DOSSIER) && text.contains("11 trang"),
        "store result: {text}"
    );
    let stamp = app.text("#scan-result .muted").await?;
    let when = stamp.trim_start_matches("Đã lưu lúc ").trim();
    ensure!(is_day_and_minute(when), "dd/mm/yyyy HH:mm: {stamp}");
    ensure!(
        app.count("#scan-pages").await? == 0,
        "the desk is empty once stored"
    );

    // The dossier shows the scan as TP2's paper copy, and its pages.
    app.click("#nav-dossiers").await?;
    app.search_and_open("221125-0001", DOSSIER).await?;
    app.click(".component[data-component='TP2']").await?;
    let tp2 = app.text(".component[data-component='TP2']").await?;
    ensure!(
        tp2.contains("scan_") && tp2.contains(&format!("{} trang", FEEDER + 1)),
        "TP2's copies: {tp2}"
    );
    app.wait_true(
        "the scanned page to show",
        "const i = document.querySelector(\"[data-testid='paper-page'] img\"); return !!i && i.complete && i.naturalWidth > 0",
    )
    .await?;
    app.screenshot("10-scan-in-dossier").await?;

    // A batch stored into the dossier with no component is shown under
    // "no component", not hidden.
    app.click("#nav-intake").await?;
    app.select("#scan-device", "test:0").await?;
    app.select("#scan-source", "adf").await?;
    app.click("#scan-start").await?;
    wait_pages(&app, FEEDER).await?;
    app.click("#scan-link").await?;
    app.type_into("#scan-dossier", DOSSIER).await?;
    ensure!(
        app.eval("return document.querySelector('#scan-component').value;")
            .await?
            == "",
        "no component given"
    );
    app.click("#scan-store").await?;
    app.wait_css("#scan-result[data-kept='false']").await?;
    app.click("#nav-dossiers").await?;
    app.search_and_open("221125-0001", DOSSIER).await?;
    let loose = app.text(".component[data-component='']").await?;
    ensure!(
        loose.contains("Chưa gắn thành phần")
            && loose.contains("scan_")
            && loose.contains(&format!("{FEEDER} trang")),
        "the copy with no component: {loose}"
    );
    app.click(".component[data-component='']").await?;
    app.wait_true(
        "the loose scan's page to show",
        "const i = document.querySelector(\"[data-testid='paper-page'] img\"); return !!i && i.complete && i.naturalWidth > 0",
    )
    .await?;
    app.quit().await
}
