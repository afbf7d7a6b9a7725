//! Integration tests of the `doisoat` command line, run against the
//! committed fixtures (see fixtures/README.md for what each file holds).
//!
//! Every test gets its own data folder through [`Env`], the one place that
//! runs the binary, so a change of invocation touches one spot.

mod bad_input;
mod compare;
mod crash;
mod import;
mod intake;
mod integrity;
mod lifecycle;
mod reconcile;
mod store;
mod tidy;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

pub const D1: &str = "000.00.38.H38-221125-0001";
pub const D2: &str = "000.00.38.H38-221125-0002";
pub const D3: &str = "000.00.38.H38-221125-0003";

/// The component `code` of a dossier as `show --json` gives it.
pub fn component<'a>(view: &'a Value, code: &str) -> &'a Value {
    view["components"]
        .as_array()
        .expect("a dossier view lists its components")
        .iter()
        .find(|c| c["code"] == code)
        .unwrap_or_else(|| panic!("no component {code} in {view}"))
}

/// A fresh data folder and a way to run `doisoat` against it.
pub struct Env {
    pub tmp: tempfile::TempDir,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

/// crates/cli, read when the tests run: a build folder shared by several
/// clones keeps, in `env!`, the path of whichever clone built the tests.
pub fn manifest_dir() -> PathBuf {
    PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("run by cargo"))
}

pub fn fixture(rel: &str) -> PathBuf {
    manifest_dir().join("../../fixtures").join(rel)
}

impl Default for Env {
    fn default() -> Env {
        Env::new()
    }
}

impl Env {
    pub fn new() -> Env {
        Env {
            tmp: tempfile::tempdir().unwrap(),
        }
    }

    pub fn data(&self) -> PathBuf {
        self.tmp.path().join("data")
    }

    pub fn command(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_doisoat"));
        c.arg("--data-dir")
            .arg(self.data())
            .env_remove("DOISOAT_DATA_DIR")
            .env("DOISOAT_LANG", "en");
        c
    }

    /// Runs `doisoat ARGS…` (messages in English unless `--lang vi` is passed).
    pub fn run<S: AsRef<std::ffi::OsStr>>(&self, args: &[S]) -> Run {
        self.command().args(args).output().unwrap().into()
    }

    /// Runs with `--json` and expects success.
    pub fn json<S: AsRef<std::ffi::OsStr>>(&self, args: &[S]) -> Value {
        let r = self.command().arg("--json").args(args).output().unwrap();
        let r = Run::from(r);
        assert_eq!(r.code, 0, "doisoat failed:\n{}\n{}", r.stdout, r.stderr);
        r.json()
    }

    pub fn db(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.data().join("doisoat.sqlite")).unwrap()
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.db().query_row(sql, [], |r| r.get(0)).unwrap()
    }

    /// Every object file in the store.
    pub fn objects(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let Ok(prefixes) = std::fs::read_dir(self.data().join("store/objects")) else {
            return out;
        };
        for p in prefixes.flatten() {
            for f in std::fs::read_dir(p.path()).unwrap().flatten() {
                out.push(f.path());
            }
        }
        out.sort();
        out
    }

    pub fn tmp_files(&self) -> usize {
        std::fs::read_dir(self.data().join("store/tmp"))
            .map(|d| d.count())
            .unwrap_or(0)
    }

    /// Imports the portal export and ingests every paper scan.
    pub fn load_fixtures(&self) {
        let r = self.run(&[
            "import".as_ref(),
            fixture("portal/dossiers.json").as_os_str(),
        ]);
        assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
        let mut args = vec![std::ffi::OsString::from("ingest")];
        let mut scans: Vec<_> = std::fs::read_dir(fixture("paper"))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e != "json"))
            .collect();
        scans.sort();
        args.extend(scans.into_iter().map(Into::into));
        let r = self.run(&args);
        assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    }
}

pub fn sha256_of(path: &Path) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(std::fs::read(path).unwrap()))
}
