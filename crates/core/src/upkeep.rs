//! The office's own upkeep, run in the background by the desktop app: the
//! fixity schedule (how fast, how often and how much of the store is
//! re-verified) and one round of it.
//!
//! A round is not a person's action: it re-reads stored files and records
//! what it found in each file's fixity history, whoever is signed in, so a
//! clerk's session never stops the store from being checked. Changing the
//! schedule is a person's action: administrators only, audited.

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::auth::Action;
use crate::{CoreError, FixityOptions, Job, Office, Result, VerifyReport};

/// The `settings` key the schedule is kept under.
const KEY: &str = "fixity_schedule";

/// How the store is re-verified in the background.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FixitySchedule {
    pub enabled: bool,
    /// Read at most this many MB per second, so the desk stays fast.
    pub pace_mb: u32,
    /// Minutes between two rounds.
    pub every_minutes: u32,
    /// Files per round, the oldest verification first.
    pub files_per_round: u32,
}

impl Default for FixitySchedule {
    /// 20 MB/s takes a few percent of one core and of a laptop disk;
    /// 500 files every 30 minutes re-verify a store of 50,000 files about
    /// every two days.
    fn default() -> Self {
        FixitySchedule {
            enabled: true,
            pace_mb: 20,
            every_minutes: 30,
            files_per_round: 500,
        }
    }
}

impl FixitySchedule {
    fn check(&self) -> Result<()> {
        let bad = |what: &str, range: &str| {
            Err(CoreError::InvalidArgument(format!(
                "fixity schedule: {what} must be {range}"
            )))
        };
        if !(1..=2000).contains(&self.pace_mb) {
            return bad("pace_mb", "1–2000 MB/s");
        }
        if !(1..=7 * 24 * 60).contains(&self.every_minutes) {
            return bad("every_minutes", "1 minute to 7 days");
        }
        if !(1..=1_000_000).contains(&self.files_per_round) {
            return bad("files_per_round", "1–1,000,000");
        }
        Ok(())
    }
}

/// What one background round found, and when it ended.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FixityRound {
    /// ISO 8601, UTC.
    pub at: String,
    pub report: VerifyReport,
}

impl Office {
    /// The background fixity schedule (the default until someone sets one).
    pub fn fixity_schedule(&self) -> Result<FixitySchedule> {
        crate::lifecycle::json_setting(&self.conn(), KEY)
    }

    /// Changes the background fixity schedule (administrators; audited
    /// with the schedule before and after).
    pub fn set_fixity_schedule(&self, s: &FixitySchedule) -> Result<()> {
        let actor = self.require(Action::Settings, KEY)?;
        s.check()?;
        let before = self.fixity_schedule()?;
        let value = serde_json::to_string(s).map_err(doisoat_db::DbError::from)?;
        let (before, after) = (Some(json!(before)), Some(json!(s)));
        self.audited(&actor.name, "settings", KEY, before, after, |tx| {
            doisoat_db::lifecycle::set_setting(tx, KEY, &value, &self.now())?;
            Ok(())
        })
    }

    /// One round of the schedule: the next `files_per_round` files, oldest
    /// verification first, at `pace_mb`. `None` when automatic rounds are
    /// off; `asked` (someone pressed "check now") runs it anyway.
    pub fn fixity_round(&self, job: &Job, asked: bool) -> Result<Option<FixityRound>> {
        let s = self.fixity_schedule()?;
        if !s.enabled && !asked {
            return Ok(None);
        }
        let opts = FixityOptions {
            max_files: Some(u64::from(s.files_per_round)),
            bytes_per_sec: Some(u64::from(s.pace_mb) << 20),
        };
        let report = self.run_fixity_pass(&opts, job)?;
        Ok(Some(FixityRound {
            at: self.now(),
            report,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Credential, Role};

    fn office_with_a_file() -> (tempfile::TempDir, Office) {
        let dir = tempfile::tempdir().unwrap();
        let office = Office::open(&dir.path().join("data")).unwrap();
        // Read at run time: a shared build folder may hold another clone's path.
        let pdf = std::path::PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap())
            .join("../../fixtures/paper/000.00.38.H38-221125-0001_TP1_scan.pdf");
        let r = office
            .ingest(&[pdf], &crate::LinkTarget::default(), &Job::new(|_| {}))
            .unwrap();
        assert_eq!(r.files.len(), 1);
        (dir, office)
    }

    #[test]
    fn the_schedule_is_checked_kept_and_audited() {
        let (_dir, office) = office_with_a_file();
        assert_eq!(office.fixity_schedule().unwrap(), FixitySchedule::default());
        let slow = FixitySchedule {
            pace_mb: 5,
            every_minutes: 60,
            ..FixitySchedule::default()
        };
        office.set_fixity_schedule(&slow).unwrap();
        assert_eq!(office.fixity_schedule().unwrap(), slow);
        let last = office.audit_events(1).unwrap().remove(0);
        assert_eq!(
            (last.action.as_str(), last.subject.as_str()),
            ("settings", KEY)
        );
        assert!(last.before.unwrap().contains("\"pace_mb\":20"));
        assert!(last.after.unwrap().contains("\"pace_mb\":5"));
        for bad in [
            FixitySchedule { pace_mb: 0, ..slow },
            FixitySchedule {
                every_minutes: 0,
                ..slow
            },
            FixitySchedule {
                files_per_round: 0,
                ..slow
            },
        ] {
            assert!(matches!(
                office.set_fixity_schedule(&bad),
                Err(CoreError::InvalidArgument(_))
            ));
        }
        assert_eq!(office.fixity_schedule().unwrap(), slow);
        // Off: the timer's round does nothing; one asked for still runs.
        office
            .set_fixity_schedule(&FixitySchedule {
                enabled: false,
                ..slow
            })
            .unwrap();
        let job = Job::new(|_| {});
        assert!(office.fixity_round(&job, false).unwrap().is_none());
        let asked = office.fixity_round(&job, true).unwrap().unwrap();
        assert_eq!((asked.report.checked, asked.report.intact), (1, 1));
    }

    /// A clerk may not change the schedule, but the office's own round
    /// still checks the store during the clerk's session.
    #[test]
    fn a_round_runs_under_a_clerks_session_but_the_clerk_cannot_change_it() {
        let (_dir, office) = office_with_a_file();
        office
            .add_user(
                "quantri",
                Role::Administrator,
                "mật khẩu quản trị",
                &[1; 16],
            )
            .unwrap();
        office
            .sign_in("quantri", Credential::Password("mật khẩu quản trị"))
            .unwrap();
        office
            .add_user("lan", Role::Clerk, "mật khẩu của Lan", &[2; 16])
            .unwrap();
        office
            .sign_in("lan", Credential::Password("mật khẩu của Lan"))
            .unwrap();
        assert!(matches!(
            office.set_fixity_schedule(&FixitySchedule::default()),
            Err(CoreError::Forbidden { .. })
        ));
        let round = office
            .fixity_round(&Job::new(|_| {}), false)
            .unwrap()
            .unwrap();
        assert_eq!((round.report.checked, round.report.intact), (1, 1));
        assert!(round.at.starts_with("20"), "{}", round.at);
        assert_eq!(
            office.fixity_history(&office_file(&office)).unwrap().len(),
            1
        );
    }

    fn office_file(office: &Office) -> String {
        office
            .conn()
            .query_row("SELECT sha256 FROM files", [], |r| r.get(0))
            .unwrap()
    }
}
