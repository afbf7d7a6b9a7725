//! The demo set: the committed fixtures, loaded in one step so a new user
//! sees dossiers, scans and at least one mismatch without preparing anything.

use std::path::{Path, PathBuf};

use crate::{CoreError, DemoReport, ImportOptions, Job, LinkTarget, Office, Result};

pub(crate) fn load(office: &Office, fixtures: &Path, job: &Job) -> Result<DemoReport> {
    let export = fixtures.join("portal/dossiers.json");
    if !export.is_file() {
        return Err(CoreError::InvalidArgument(format!(
            "{} is not a fixtures folder",
            fixtures.display()
        )));
    }
    let import = office.import(&export, &ImportOptions { skip_invalid: true }, job)?;
    let mut scans: Vec<PathBuf> = std::fs::read_dir(fixtures.join("paper"))
        .map_err(|source| CoreError::DataDir {
            path: fixtures.join("paper"),
            source,
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e != "json" && e != "md"))
        .collect();
    scans.sort();
    let ingest = office.ingest(&scans, &LinkTarget::default(), job)?;
    let reconcile = office.reconcile(None, job)?;
    Ok(DemoReport {
        import,
        ingest,
        reconcile,
    })
}
