//! Driving the built desktop app through tauri-driver (WebDriver on
//! 127.0.0.1:4444, which starts WebKitWebDriver and the app). `scripts/e2e.sh`
//! starts Xvfb and tauri-driver, builds the app and runs these tests.
//!
//! Environment: `DOISOAT_APP` (the built binary; default
//! `$CARGO_TARGET_DIR/debug/doisoat-app`), `TAURI_DRIVER_URL` (default
//! `http://127.0.0.1:4444`), `E2E_ARTIFACTS` (screenshots; default
//! `artifacts/e2e` at the repository root).

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};

/// The repository root (two levels above this crate).
pub fn repo_root() -> PathBuf {
    // Read at run time: a build folder shared by several clones keeps, in
    // `env!`, the path of whichever clone built this crate.
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
        .join("../..")
        .canonicalize()
        .unwrap_or_else(|_| PathBuf::from("../.."))
}

pub fn app_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("DOISOAT_APP") {
        return PathBuf::from(p);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target"));
    target.join("debug").join("doisoat-app")
}

/// Whether `text` is a local time as the app shows it: `dd/mm/yyyy HH:mm`.
pub fn is_day_and_minute(text: &str) -> bool {
    text.len() == 16
        && text
            .chars()
            .enumerate()
            .all(|(k, c)| c.is_ascii_digit() != [2, 5, 10, 13].contains(&k))
}

pub fn fixtures() -> PathBuf {
    repo_root().join("fixtures")
}

fn artifacts_dir() -> PathBuf {
    std::env::var_os("E2E_ARTIFACTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("artifacts/e2e"))
}

/// How long a step may take before the test fails (ingest and reconcile of
/// a scan run in the app while we wait).
pub const STEP: Duration = Duration::from_secs(60);

/// One running app, in one WebDriver session.
pub struct App {
    pub client: Client,
}

impl App {
    /// Starts the app on `data_dir` (passed as `--data-dir`).
    pub async fn start(data_dir: &Path) -> Result<App> {
        let binary = app_binary();
        anyhow::ensure!(
            binary.is_file(),
            "the app is not built: {} (run scripts/e2e.sh)",
            binary.display()
        );
        let url =
            std::env::var("TAURI_DRIVER_URL").unwrap_or_else(|_| "http://127.0.0.1:4444".into());
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), "wry".into());
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({
                "application": binary,
                "args": ["--data-dir", data_dir],
            }),
        );
        let client = ClientBuilder::native()
            .capabilities(caps)
            .connect(&url)
            .await
            .with_context(|| format!("no WebDriver session at {url} (is tauri-driver running?)"))?;
        let app = App { client };
        app.wait_css("#nav-dossiers").await?;
        Ok(app)
    }

    /// Quits the app (ends the session, which closes the window).
    pub async fn quit(self) -> Result<()> {
        self.client.close().await.context("closing the session")
    }

    pub async fn wait_css(&self, css: &str) -> Result<Element> {
        self.client
            .wait()
            .at_most(STEP)
            .for_element(Locator::Css(css))
            .await
            .with_context(|| format!("waiting for {css}"))
    }

    pub async fn click(&self, css: &str) -> Result<()> {
        self.wait_css(css)
            .await?
            .click()
            .await
            .with_context(|| format!("clicking {css}"))
    }

    pub async fn type_into(&self, css: &str, text: &str) -> Result<()> {
        let e = self.wait_css(css).await?;
        e.clear().await.with_context(|| format!("clearing {css}"))?;
        e.send_keys(text)
            .await
            .with_context(|| format!("typing into {css}"))
    }

    pub async fn text(&self, css: &str) -> Result<String> {
        self.wait_css(css)
            .await?
            .text()
            .await
            .with_context(|| format!("reading {css}"))
    }

    pub async fn count(&self, css: &str) -> Result<usize> {
        Ok(self.client.find_all(Locator::Css(css)).await?.len())
    }

    /// Runs `script` in the page and returns its value.
    pub async fn eval(&self, script: &str) -> Result<serde_json::Value> {
        self.client
            .execute(script, vec![])
            .await
            .context("running a script in the page")
    }

    /// Waits until `script` returns true.
    pub async fn wait_true(&self, what: &str, script: &str) -> Result<()> {
        let deadline = std::time::Instant::now() + STEP;
        loop {
            if self.eval(script).await? == serde_json::Value::Bool(true) {
                return Ok(());
            }
            anyhow::ensure!(
                std::time::Instant::now() < deadline,
                "timed out waiting for {what}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Picks the option `value` of the `<select>` at `css` (waiting until
    /// the option is there) and checks that the page took it.
    pub async fn select(&self, css: &str, value: &str) -> Result<()> {
        self.click(&format!("{css} option[value='{value}']"))
            .await?;
        self.wait_true(
            &format!("{css} to hold {value}"),
            &format!("return document.querySelector(\"{css}\").value === '{value}'"),
        )
        .await
    }

    /// Imports a portal export through the Import screen and returns the
    /// summary it shows. An XLSX export waits for its column preset.
    pub async fn import(&self, export: &Path) -> Result<String> {
        self.click("#nav-import").await?;
        self.type_into("#import-path", export.to_str().context("path")?)
            .await?;
        if export.extension().is_some_and(|e| e == "xlsx") {
            self.wait_css("#import-preset").await?;
        }
        self.click("#import-run").await?;
        self.text("#import-summary").await
    }

    /// Ingests `scan` through the Intake screen into `dossier`/`component`
    /// (reconciled after, as the screen does by default) and returns the
    /// reconcile summary once the file is stored.
    pub async fn ingest_into(&self, scan: &Path, dossier: &str, component: &str) -> Result<String> {
        self.click("#nav-intake").await?;
        self.type_into("#path-input", scan.to_str().context("path")?)
            .await?;
        self.click("#path-add").await?;
        self.type_into("#target-dossier", dossier).await?;
        self.type_into("#target-component", component).await?;
        self.click("#start-intake").await?;
        self.wait_css("#intake-results tr[data-status='stored']")
            .await?;
        self.text("#reconcile-summary").await
    }

    /// In an open dossier, resolves the selected finding of `kind` with who
    /// decided and a note, and waits until the list shows it resolved.
    pub async fn resolve_finding(&self, kind: &str, actor: &str, note: &str) -> Result<()> {
        self.type_into("#finding-actor", actor).await?;
        self.type_into("#finding-note", note).await?;
        self.click("#resolve").await?;
        self.wait_css(&format!(
            "#findings .finding[data-kind='{kind}'][data-status='resolved']"
        ))
        .await?;
        Ok(())
    }

    /// Types `search` into the dossier list's search box, waits until the
    /// list has narrowed to the one dossier `code`, and opens it.
    pub async fn search_and_open(&self, search: &str, code: &str) -> Result<()> {
        self.type_into("#search", search).await?;
        self.wait_true(
            "the search to narrow the list to one dossier",
            &format!(
                "const b = document.querySelector('#dossier-rows'); return b.dataset.busy === 'false' && [...b.querySelectorAll('.row[data-code]')].map(r => r.dataset.code).join() === '{code}'"
            ),
        )
        .await?;
        self.click(&format!("#dossier-rows .row[data-code='{code}']"))
            .await?;
        self.wait_true(
            "the dossier view to open",
            &format!("const h = document.querySelector('#dossier-code'); return !!h && h.textContent.trim() === '{code}'"),
        )
        .await
    }

    /// Saves a screenshot of the window as `artifacts/e2e/<name>.png`.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        let png = self
            .client
            .screenshot()
            .await
            .context("taking a screenshot")?;
        let dir = artifacts_dir();
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png)?;
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn day_and_minute() {
        assert!(super::is_day_and_minute("27/11/2026 17:05"));
        assert!(!super::is_day_and_minute("2026-11-27 17:05"));
        assert!(!super::is_day_and_minute("27/11/2026 17:5"));
        assert!(!super::is_day_and_minute("27/11/20261 7:05"));
    }
}
