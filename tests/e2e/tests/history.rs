//! A dossier's history in the real app: after a scan is ingested and its
//! finding resolved, the history lists both, with who did them. A scan
//! filed under the wrong component is taken back (two clicks), and the
//! history lists that too.
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

    // The clerk's slip: the TP1 scan filed under TP2 too; taken back.
    let slip = fixtures().join(format!("paper/{DOSSIER}_TP1_scan.pdf"));
    app.ingest_into(&slip, DOSSIER, "TP2").await?;
    app.click("#nav-dossiers").await?;
    app.search_and_open("221125-0001", DOSSIER).await?;
    app.click(".component[data-component='TP2']").await?;
    let wrong = app
        .eval(
            "return [...document.querySelectorAll('.unlink-list .unlink')].find(b => b.textContent.includes('_TP1_scan.pdf'))?.dataset.copy ?? null;",
        )
        .await?;
    let wrong = wrong.as_str().unwrap_or_default().to_string();
    ensure!(
        !wrong.is_empty(),
        "TP2 lists the TP1 scan with an unlink button"
    );
    let button = format!(".unlink-list .unlink[data-copy='{wrong}']");
    app.click(&button).await?;
    ensure!(
        app.text(&button).await?.contains("Bấm lần nữa để gỡ"),
        "the first click only arms"
    );
    app.screenshot("08a-unlink-armed").await?;
    app.click(&button).await?;
    app.wait_true(
        "the link taken back",
        &format!("return document.querySelector(\"{button}\") === null"),
    )
    .await?;
    let tp2 = app.text(".component[data-component='TP2']").await?;
    ensure!(!tp2.contains("_TP1_scan.pdf"), "TP2 after unlinking: {tp2}");

    app.click("#history-toggle").await?;
    let unlink = app
        .wait_css("#history-rows tr.event[data-action='unlink']")
        .await?;
    let unlink_text = unlink.text().await?;
    ensure!(
        unlink_text.contains("Gỡ tệp khỏi hồ sơ") && unlink_text.contains("_TP1_scan.pdf"),
        "the unlinking and its file: {unlink_text}"
    );
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
    // Two ingests now (the TP2 scan, then the slip): the TP2 one, by the same account.
    let ingests = app
        .eval(
            "return [...document.querySelectorAll(\"#history-rows tr.event[data-action='ingest']\")].map(r => [r.textContent, r.dataset.actor ?? '']);",
        )
        .await?;
    let ingests: Vec<(String, String)> = serde_json::from_value(ingests)?;
    ensure!(
        ingests
            .iter()
            .any(|(text, who)| text.contains("Tiếp nhận tệp")
                && text.contains("_TP2_scan.pdf")
                && *who == actor),
        "the TP2 ingest, by {actor}: {ingests:?}"
    );
    // Newest first, and dates the Vietnamese way.
    let order = app
        .eval(
            "return [...document.querySelectorAll('#history-rows tr.event')].map(r => r.dataset.action);",
        )
        .await?;
    let order: Vec<String> = serde_json::from_value(order)?;
    let (u, r, i) = (
        order.iter().position(|a| a == "unlink"),
        order.iter().position(|a| a == "resolve"),
        order.iter().rposition(|a| a == "ingest"),
    );
    ensure!(
        matches!((u, r, i), (Some(u), Some(r), Some(i)) if u < r && r < i),
        "unlink above resolve above the first ingest: {order:?}"
    );
    let when = app
        .text("#history-rows tr.event[data-action='resolve'] .when")
        .await?;
    ensure!(is_day_and_minute(&when), "dd/mm/yyyy HH:mm: {when}");
    app.screenshot("08-history").await?;
    app.quit().await
}
