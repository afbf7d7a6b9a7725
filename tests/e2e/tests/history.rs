//! A dossier's history in the real app: after a scan is ingested and its
//! finding resolved, the history lists both, with who did them.
//! Needs tauri-driver under a display: run `scripts/e2e.sh history`.

use anyhow::{ensure, Result};
use doisoat_e2e::{fixtures, is_day_and_minute, App};

const DOSSIER: &str = "000.00.38.H38-221125-0001";

#[tokio::test(flavor = "current_thread")]
async fn history_lists_ingest_and_resolve_with_the_user() -> Result<()> {
    let data = tempfile::tempdir()?;
    let export = fixtures().join("portal/dossiers.json");
    let scan = fixtures().join(format!("paper/{DOSSIER}_TP2_scan.pdf"));
    ensure!(
        export.is_file() && scan.is_file(),
        "fixtures missing: run the generators (tools/gen)"
    );
    let app = App::start(data.path()).await?;

    app.import(&export).await?;

    app.ingest_into(&scan, DOSSIER, "TP2").await?;

    app.click("#nav-dossiers").await?;
    app.search_and_open("221125-0001", DOSSIER).await?;
    app.click("#findings .finding[data-kind='page_differs'] .f-head")
        .await?;
    app.resolve_finding("page_differs", "Nguyễn Thị Đào", "Đã đối chiếu bản gốc")
        .await?;

    app.click("#history-toggle").await?;
    let resolve = app
        .wait_css("#history-rows tr.event[data-action='resolve']")
        .await?;
    let resolve_text = resolve.text().await?;
    ensure!(
        resolve_text.contains("Quyết định về sai lệch"),
        "the action is named in Vietnamese: {resolve_text}"
    );
    ensure!(
        resolve_text.contains("Nguyễn Thị Đào") && resolve_text.contains("Đã đối chiếu bản gốc"),
        "who decided and the note: {resolve_text}"
    );
    let actor = resolve.attr("data-actor").await?.unwrap_or_default();
    ensure!(!actor.is_empty(), "the account is named");
    ensure!(
        resolve_text.contains(&actor),
        "the account {actor} is shown: {resolve_text}"
    );
    let ingest = app
        .wait_css("#history-rows tr.event[data-action='ingest']")
        .await?;
    let ingest_text = ingest.text().await?;
    ensure!(
        ingest_text.contains("Tiếp nhận tệp") && ingest_text.contains("_TP2_scan.pdf"),
        "the ingest and its file: {ingest_text}"
    );
    ensure!(
        ingest.attr("data-actor").await?.as_deref() == Some(actor.as_str()),
        "the same account ingested"
    );
    // Newest first, and dates the Vietnamese way.
    let order = app
        .eval(
            "return [...document.querySelectorAll('#history-rows tr.event')].map(r => r.dataset.action);",
        )
        .await?;
    let order: Vec<String> = serde_json::from_value(order)?;
    let (r, i) = (
        order.iter().position(|a| a == "resolve"),
        order.iter().position(|a| a == "ingest"),
    );
    ensure!(
        matches!((r, i), (Some(r), Some(i)) if r < i),
        "resolve above ingest: {order:?}"
    );
    let when = app
        .text("#history-rows tr.event[data-action='resolve'] .when")
        .await?;
    ensure!(is_day_and_minute(&when), "dd/mm/yyyy HH:mm: {when}");
    app.screenshot("08-history").await?;
    app.quit().await
}
