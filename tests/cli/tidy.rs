//! Repository conventions, checked by plain `cargo test`.

fn crate_manifests() -> Vec<(String, toml::Table)> {
    let crates = crate::manifest_dir().join("..");
    let mut out = Vec::new();
    for e in std::fs::read_dir(&crates).unwrap().flatten() {
        let manifest = e.path().join("Cargo.toml");
        if manifest.is_file() {
            let t: toml::Table = std::fs::read_to_string(&manifest).unwrap().parse().unwrap();
            out.push((e.file_name().to_string_lossy().into_owned(), t));
        }
    }
    assert!(out.len() >= 8, "expected the core crates under crates/");
    out
}

#[test]
fn no_crate_under_crates_depends_on_tauri() {
    for (name, t) in crate_manifests() {
        for section in ["dependencies", "dev-dependencies", "build-dependencies"] {
            let Some(deps) = t.get(section).and_then(|d| d.as_table()) else {
                continue;
            };
            for dep in deps.keys() {
                assert!(
                    !dep.starts_with("tauri") && dep != "doisoat-app" && !dep.starts_with("wry"),
                    "crates/{name} depends on {dep} ({section}): the core must stay free of the desktop shell"
                );
            }
        }
    }
}

#[test]
fn every_crate_uses_the_workspace_lints_and_documents_its_root() {
    let crates = crate::manifest_dir().join("..");
    for (name, t) in crate_manifests() {
        let lints = t
            .get("lints")
            .and_then(|l| l.get("workspace"))
            .and_then(|w| w.as_bool());
        assert_eq!(
            lints,
            Some(true),
            "crates/{name} must set [lints] workspace = true"
        );
        for root in ["src/lib.rs", "src/main.rs"] {
            let p = crates.join(&name).join(root);
            if p.is_file() {
                let text = std::fs::read_to_string(&p).unwrap();
                let first = text
                    .lines()
                    .find(|l| !l.trim().is_empty() && !l.starts_with("#!"))
                    .unwrap_or("");
                assert!(
                    first.starts_with("//!"),
                    "crates/{name}/{root} must open with a //! doc comment"
                );
            }
        }
    }
}
