//! The TypeScript twins of every type that crosses IPC live, committed, in
//! ui/src/lib/bindings/. This test regenerates them into a temporary folder
//! and fails when the committed files differ (stale, missing or extra).
//! `UPDATE_BINDINGS=1 cargo test -p doisoat-app bindings` rewrites them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ts_rs::{Config, TS};

use crate::commands::{AppInfo, FindingUpdateInput, TargetInput};
use crate::error::IpcError;
use crate::intake::{ScanFinish, ScanState, ScanStored};
use crate::jobs::JobProgress;
use crate::upkeep::FixityStatus;

fn committed_dir() -> PathBuf {
    PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("run by cargo"))
        .join("ui/src/lib/bindings")
}

/// Exports every IPC type and its dependencies into `dir`.
fn export_all(dir: &Path) {
    // serde_json writes u64 as a JSON number, so the twins say `number`.
    let cfg = Config::new().with_out_dir(dir).with_large_int("number");
    macro_rules! export {
        ($($t:ty),* $(,)?) => { $( <$t as TS>::export_all(&cfg).expect(stringify!($t)); )* };
    }
    export!(
        AppInfo,
        IpcError,
        JobProgress,
        TargetInput,
        FindingUpdateInput,
        doisoat_core::Lang,
        doisoat_core::DossierQuery,
        doisoat_core::DossierPage,
        doisoat_core::DossierView,
        doisoat_core::Finding,
        doisoat_core::ImportReport,
        doisoat_core::IngestReport,
        doisoat_core::ReconcileReport,
        doisoat_core::DemoReport,
        doisoat_core::HistoryEntry,
        ScanState,
        ScanFinish,
        ScanStored,
        doisoat_intake::scan::ScanDevice,
        doisoat_intake::scan::ScanSettings,
        FixityStatus,
    );
}

fn read_ts_files(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "ts") {
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            out.insert(name, std::fs::read_to_string(&path).unwrap_or_default());
        }
    }
    out
}

#[test]
fn committed_typescript_twins_are_current() {
    let fresh_dir = tempfile::tempdir().expect("temp dir");
    export_all(fresh_dir.path());
    let fresh = read_ts_files(fresh_dir.path());
    assert!(
        fresh.contains_key("IpcError.ts") && fresh.contains_key("DossierView.ts"),
        "export produced {fresh:?}"
    );

    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        let dir = committed_dir();
        std::fs::create_dir_all(&dir).expect("bindings dir");
        for stale in read_ts_files(&dir)
            .keys()
            .filter(|k| !fresh.contains_key(*k))
        {
            std::fs::remove_file(dir.join(stale)).expect("remove stale twin");
        }
        for (name, text) in &fresh {
            std::fs::write(dir.join(name), text).expect("write twin");
        }
        return;
    }

    let committed = read_ts_files(&committed_dir());
    let missing: Vec<_> = fresh
        .keys()
        .filter(|k| !committed.contains_key(*k))
        .collect();
    let extra: Vec<_> = committed
        .keys()
        .filter(|k| !fresh.contains_key(*k))
        .collect();
    let changed: Vec<_> = fresh
        .iter()
        .filter(|(k, v)| committed.get(*k).is_some_and(|c| c != *v))
        .map(|(k, _)| k)
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty() && changed.is_empty(),
        "ui/src/lib/bindings is stale (missing {missing:?}, extra {extra:?}, changed {changed:?}); \
         run `UPDATE_BINDINGS=1 cargo test -p doisoat-app bindings` and commit the result"
    );
}
