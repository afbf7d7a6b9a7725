//! `users`: local accounts, their role and their argon2 password hash. The
//! hashing and the rules of who may do what live in the core; this module
//! only stores and reads rows.

use rusqlite::{params, Connection, OptionalExtension};

use crate::Result;

#[derive(Debug, Clone, PartialEq)]
pub struct UserRow {
    pub name: String,
    pub role: String,
    pub password_hash: String,
    pub token_hash: Option<String>,
    pub created_at: String,
}

pub fn count(conn: &Connection) -> Result<u64> {
    Ok(conn.query_row("SELECT COUNT(*) FROM users", [], |r| r.get::<_, i64>(0))? as u64)
}

/// Adds an account; `false` when the name is taken.
pub fn insert(conn: &Connection, u: &UserRow) -> Result<bool> {
    if get(conn, &u.name)?.is_some() {
        return Ok(false);
    }
    let n = conn.execute(
        "INSERT INTO users (name, role, password_hash, token_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![u.name, u.role, u.password_hash, u.token_hash, u.created_at],
    )?;
    Ok(n == 1)
}

pub fn get(conn: &Connection, name: &str) -> Result<Option<UserRow>> {
    Ok(conn
        .query_row(
            "SELECT name, role, password_hash, token_hash, created_at FROM users WHERE name = ?1",
            [name],
            |r| {
                Ok(UserRow {
                    name: r.get(0)?,
                    role: r.get(1)?,
                    password_hash: r.get(2)?,
                    token_hash: r.get(3)?,
                    created_at: r.get(4)?,
                })
            },
        )
        .optional()?)
}

pub fn list(conn: &Connection) -> Result<Vec<UserRow>> {
    let mut stmt = conn.prepare(
        "SELECT name, role, password_hash, token_hash, created_at FROM users ORDER BY name",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok(UserRow {
                name: r.get(0)?,
                role: r.get(1)?,
                password_hash: r.get(2)?,
                token_hash: r.get(3)?,
                created_at: r.get(4)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

pub fn set_token_hash(conn: &Connection, name: &str, token_hash: &str) -> Result<bool> {
    Ok(conn.execute(
        "UPDATE users SET token_hash = ?2 WHERE name = ?1",
        params![name, token_hash],
    )? == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_roles_checked() {
        let conn = crate::open_in_memory().unwrap();
        let u = UserRow {
            name: "lan".into(),
            role: "clerk".into(),
            password_hash: "$argon2id$x".into(),
            token_hash: None,
            created_at: "2026-01-01T00:00:00Z".into(),
        };
        assert!(insert(&conn, &u).unwrap());
        assert!(!insert(&conn, &u).unwrap());
        assert_eq!(count(&conn).unwrap(), 1);
        assert_eq!(get(&conn, "lan").unwrap().unwrap().role, "clerk");
        let bad = UserRow {
            name: "x".into(),
            role: "king".into(),
            ..u
        };
        assert!(insert(&conn, &bad).is_err());
        assert!(set_token_hash(&conn, "lan", "abc").unwrap());
        assert_eq!(list(&conn).unwrap()[0].token_hash.as_deref(), Some("abc"));
    }
}
