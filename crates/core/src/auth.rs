//! Who is acting, and what each role may do. Enforced here, in the core, so
//! every front (CLI, desktop app) gets the same rules.
//!
//! A data folder with no accounts is run by its local administrator, who may
//! do everything: scripts on a fresh folder work as before. Once accounts
//! exist, someone must sign in (password checked against its argon2 hash, or
//! a local token checked against its SHA-256), and each [`Action`] is
//! allowed only to the roles in [`Role::may`]. Refusals are audited.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use doisoat_db::users::{self, UserRow};

use crate::{CoreError, Office, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Clerk,
    Archivist,
    Supervisor,
    Administrator,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s.trim().to_ascii_lowercase().as_str() {
            "clerk" => Some(Role::Clerk),
            "archivist" => Some(Role::Archivist),
            "supervisor" => Some(Role::Supervisor),
            "administrator" | "admin" => Some(Role::Administrator),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Clerk => "clerk",
            Role::Archivist => "archivist",
            Role::Supervisor => "supervisor",
            Role::Administrator => "administrator",
        }
    }

    /// The one table of who may do what.
    pub fn may(self, action: Action) -> bool {
        use Action::*;
        match self {
            // The desk: receives, scans, imports, compares.
            // The desk: receives, scans, imports, compares, and takes back a
            // file it linked to the wrong dossier.
            Role::Clerk => matches!(action, Ingest | Import | Reconcile | Unlink),
            // Keeps paper and electronic consistent and decides findings.
            Role::Archivist => {
                matches!(
                    action,
                    Ingest
                        | Import
                        | Reconcile
                        | Unlink
                        | ResolveFinding
                        | ExportBag
                        | ImportBag
                        | Verify
                        | AuditVerify
                )
            }
            // Watches and reports; changes nothing.
            Role::Supervisor => matches!(action, ExportBag | Verify | AuditVerify),
            // Runs the installation, not the dossiers.
            Role::Administrator => matches!(
                action,
                ManageUsers | Backup | Verify | AuditVerify | Settings
            ),
        }
    }
}

/// Something the core may refuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Ingest,
    Import,
    Reconcile,
    /// Take a copy's link to its dossier back (the file stays stored).
    Unlink,
    ResolveFinding,
    ExportBag,
    ImportBag,
    Verify,
    AuditVerify,
    ManageUsers,
    Backup,
    Settings,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Ingest => "ingest",
            Action::Import => "import",
            Action::Reconcile => "reconcile",
            Action::Unlink => "unlink",
            Action::ResolveFinding => "resolve",
            Action::ExportBag => "export",
            Action::ImportBag => "bag_import",
            Action::Verify => "verify",
            Action::AuditVerify => "audit_verify",
            Action::ManageUsers => "user_add",
            Action::Backup => "backup",
            Action::Settings => "settings",
        }
    }
}

/// Who is acting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Actor {
    pub name: String,
    /// `None` for the local administrator of a folder with no accounts.
    pub role: Option<Role>,
}

/// The name events carry when the folder has no accounts.
pub const LOCAL_ADMINISTRATOR: &str = "local-administrator";

/// How someone proves who they are.
pub enum Credential<'a> {
    Password(&'a str),
    Token(&'a str),
}

/// An account as shown (never its hashes).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UserView {
    pub name: String,
    pub role: String,
    pub has_token: bool,
    pub created_at: String,
}

pub(crate) fn hash_password(password: &str, salt: &[u8; 16]) -> Result<String> {
    let salt = SaltString::encode_b64(salt)
        .map_err(|e| CoreError::InvalidArgument(format!("salt: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| CoreError::InvalidArgument(format!("password: {e}")))
}

fn password_matches(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.trim().as_bytes()))
}

impl Office {
    /// Who is acting now: the signed-in account, the local administrator of
    /// a folder without accounts, or an error asking to sign in.
    pub fn actor(&self) -> Result<Actor> {
        if let Some(a) = self
            .session
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
        {
            return Ok(a);
        }
        if users::count(&self.conn())? == 0 {
            return Ok(Actor {
                name: LOCAL_ADMINISTRATOR.into(),
                role: None,
            });
        }
        Err(CoreError::SignInRequired)
    }

    /// Checks that the current actor may do `action`; audits a refusal.
    pub(crate) fn require(&self, action: Action, subject: &str) -> Result<Actor> {
        let actor = match self.actor() {
            Ok(a) => a,
            Err(e) => {
                self.record(
                    "?",
                    action.as_str(),
                    subject,
                    "refused",
                    None,
                    Some(serde_json::json!({"reason": "sign_in_required"})),
                )?;
                return Err(e);
            }
        };
        match actor.role {
            None => Ok(actor),
            Some(role) if role.may(action) => Ok(actor),
            Some(role) => {
                self.record(
                    &actor.name,
                    action.as_str(),
                    subject,
                    "refused",
                    None,
                    Some(serde_json::json!({"reason": "role", "role": role.as_str()})),
                )?;
                Err(CoreError::Forbidden {
                    user: actor.name,
                    role: role.as_str(),
                    action: action.as_str(),
                })
            }
        }
    }

    /// Signs in as `name`. Success and failure are both audited.
    pub fn sign_in(&self, name: &str, credential: Credential<'_>) -> Result<Actor> {
        let row = users::get(&self.conn(), name.trim())?;
        let ok = match (&row, &credential) {
            (Some(u), Credential::Password(p)) => password_matches(p, &u.password_hash),
            (Some(u), Credential::Token(t)) => {
                u.token_hash.as_deref() == Some(token_hash(t).as_str())
            }
            (None, _) => false,
        };
        let how = match credential {
            Credential::Password(_) => "password",
            Credential::Token(_) => "token",
        };
        match row.filter(|_| ok) {
            Some(u) => {
                let role = Role::parse(&u.role)
                    .ok_or_else(|| CoreError::InvalidArgument(format!("role {}", u.role)))?;
                let actor = Actor {
                    name: u.name.clone(),
                    role: Some(role),
                };
                self.record(
                    &u.name,
                    "sign_in",
                    &u.name,
                    "ok",
                    None,
                    Some(serde_json::json!({"with": how})),
                )?;
                *self.session.lock().unwrap_or_else(|e| e.into_inner()) = Some(actor.clone());
                Ok(actor)
            }
            None => {
                self.record(
                    name,
                    "sign_in",
                    name,
                    "refused",
                    None,
                    Some(serde_json::json!({"with": how})),
                )?;
                Err(CoreError::BadCredentials(name.to_string()))
            }
        }
    }

    /// Adds an account. Only an administrator may; the first account of a
    /// folder must be an administrator (it takes over from the local one).
    /// `salt` is 16 random bytes from the caller.
    pub fn add_user(
        &self,
        name: &str,
        role: Role,
        password: &str,
        salt: &[u8; 16],
    ) -> Result<UserView> {
        let name = name.trim();
        self.require(Action::ManageUsers, name)?;
        if name.is_empty() || name.contains(char::is_whitespace) {
            return Err(CoreError::InvalidArgument(
                "an account name is one word".into(),
            ));
        }
        if password.chars().count() < 8 {
            return Err(CoreError::InvalidArgument(
                "a password has at least 8 characters".into(),
            ));
        }
        if users::count(&self.conn())? == 0 && role != Role::Administrator {
            return Err(CoreError::InvalidArgument(
                "the first account must be an administrator".into(),
            ));
        }
        let row = UserRow {
            name: name.to_string(),
            role: role.as_str().into(),
            password_hash: hash_password(password, salt)?,
            token_hash: None,
            created_at: self.now(),
        };
        if !users::insert(&self.conn(), &row)? {
            return Err(CoreError::UserExists(name.to_string()));
        }
        self.audit(
            "user_add",
            name,
            None,
            Some(serde_json::json!({"role": role.as_str()})),
        )?;
        Ok(UserView {
            name: row.name,
            role: row.role,
            has_token: false,
            created_at: row.created_at,
        })
    }

    /// Sets a local token for `name` (for scripts); returns nothing but
    /// stores only its hash. `token` comes from the caller's randomness.
    pub fn set_token(&self, name: &str, token: &str) -> Result<()> {
        self.require(Action::ManageUsers, name)?;
        if token.trim().len() < 32 {
            return Err(CoreError::InvalidArgument(
                "a token has at least 32 characters".into(),
            ));
        }
        if !users::set_token_hash(&self.conn(), name, &token_hash(token))? {
            return Err(CoreError::InvalidArgument(format!(
                "no account named {name}"
            )));
        }
        self.audit("user_token", name, None, None)?;
        Ok(())
    }

    pub fn users(&self) -> Result<Vec<UserView>> {
        self.require(Action::ManageUsers, "users")?;
        Ok(users::list(&self.conn())?
            .into_iter()
            .map(|u| UserView {
                name: u.name,
                role: u.role,
                has_token: u.token_hash.is_some(),
                created_at: u.created_at,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_archivists_resolve_and_only_administrators_manage_users() {
        for r in [Role::Clerk, Role::Supervisor, Role::Administrator] {
            assert!(!r.may(Action::ResolveFinding), "{r:?}");
        }
        assert!(Role::Archivist.may(Action::ResolveFinding));
        for r in [Role::Clerk, Role::Archivist, Role::Supervisor] {
            assert!(!r.may(Action::ManageUsers), "{r:?}");
        }
        assert!(Role::Administrator.may(Action::ManageUsers));
        assert_eq!(Role::parse("Archivist"), Some(Role::Archivist));
    }

    #[test]
    fn argon2_hash_verifies_only_the_right_password() {
        let h = hash_password("mật khẩu dài", &[7u8; 16]).unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(password_matches("mật khẩu dài", &h));
        assert!(!password_matches("mat khau dai", &h));
    }
}
