//! Archive integrity (issue 7): BagIt bags checked by the peer bagit.py and
//! bad bags refused with nothing written, fixity finding a flipped bit, the
//! audit chain finding an edited row, roles refusing a clerk, and a backup
//! restored identical.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{component, fixture, Env, D1, D2};

fn bagit_py() -> PathBuf {
    crate::manifest_dir().join("../../.venv/bin/bagit.py")
}

fn peer_validates(bag: &Path) -> (bool, String) {
    let o = Command::new(bagit_py())
        .arg("--validate")
        .arg(bag)
        .output()
        .expect("bagit.py (tools/requirements.txt)");
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Row counts that any write would change.
fn footprint(env: &Env) -> (i64, i64, i64, usize) {
    (
        env.count("SELECT COUNT(*) FROM dossiers"),
        env.count("SELECT COUNT(*) FROM copies"),
        env.count("SELECT COUNT(*) FROM files"),
        env.objects().len(),
    )
}

/// Flips one bit of the (read-only) stored object at `object`, one
/// `nth`-th of the way in.
fn flip_a_bit(object: &Path, nth: usize) {
    let mut p = std::fs::metadata(object).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    p.set_readonly(false);
    std::fs::set_permissions(object, p).unwrap();
    let mut bytes = std::fs::read(object).unwrap();
    let at = bytes.len() / nth;
    bytes[at] ^= 0x10;
    std::fs::write(object, bytes).unwrap();
}

/// Adds the account `name` (password `NAME-mật-khẩu`), as the account
/// `admin` once accounts exist.
fn add_user(env: &Env, name: &str, role: &str, as_admin: bool) {
    let mut c = env.command();
    c.args(["user", "add", name, "--role", role])
        .env("DOISOAT_NEW_PASSWORD", format!("{name}-mật-khẩu"));
    if as_admin {
        c.env("DOISOAT_USER", "admin")
            .env("DOISOAT_PASSWORD", "admin-mật-khẩu");
    }
    let o = c.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn run_ok<S: AsRef<OsStr>>(env: &Env, args: &[S]) -> String {
    let r = env.run(args);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    r.stdout
}

#[test]
fn exported_bags_pass_bagit_py_and_import_once() {
    let src = Env::new();
    src.load_fixtures();
    let dir = src.tmp.path();
    for name in ["bag", "bag.tar", "bag.zip"] {
        let out = dir.join(name);
        let r = src.json(&[
            "bag".as_ref(),
            "export".as_ref(),
            D1.as_ref(),
            D2.as_ref(),
            "-o".as_ref(),
            out.as_os_str(),
        ]);
        assert_eq!(r["dossiers"], serde_json::json!([D1, D2]));
        assert!(r["files"].as_u64().unwrap() > 5);
    }
    let (ok, err) = peer_validates(&dir.join("bag"));
    assert!(ok, "bagit.py refused our bag: {err}");
    let info = std::fs::read_to_string(dir.join("bag/bag-info.txt")).unwrap();
    assert!(info.contains("Payload-Oxum: "), "{info}");
    assert!(
        info.contains(&format!("External-Identifier: {D1}")),
        "{info}"
    );
    assert!(
        info.contains("Doisoat-Dossier: {\"code\":\"000.00.38.H38-221125-0001\""),
        "{info}"
    );
    let manifest = std::fs::read_to_string(dir.join("bag/manifest-sha512.txt")).unwrap();
    assert!(
        manifest.contains(&format!("data/{D1}/paper/TP1/{D1}_TP1_scan.pdf")),
        "{manifest}"
    );
    assert!(dir.join("bag/tagmanifest-sha256.txt").is_file());

    // `bag validate` checks without a data folder and agrees across forms.
    let files: Vec<_> = ["bag", "bag.tar", "bag.zip"]
        .iter()
        .map(|n| {
            src.json(&["bag".as_ref(), "validate".as_ref(), dir.join(n).as_os_str()])["files"]
                .clone()
        })
        .collect();
    assert_eq!(files[0], files[1]);
    assert_eq!(files[0], files[2]);
    // The tar and zip forms carry the same payload and import alike.
    for name in ["bag", "bag.tar", "bag.zip"] {
        let dst = Env::new();
        let first = dst.json(&[
            "bag".as_ref(),
            "import".as_ref(),
            dir.join(name).as_os_str(),
        ]);
        assert_eq!(first["dossiers_added"], 2, "{name}: {first}");
        assert_eq!(first["unchanged"], false);
        let show = dst.json(&["show", D1]);
        assert_eq!(show["dossier"]["code"], D1);
        let before = footprint(&dst);
        let again = dst.json(&[
            "bag".as_ref(),
            "import".as_ref(),
            dir.join(name).as_os_str(),
        ]);
        assert_eq!(again["unchanged"], true, "{name}: {again}");
        assert_eq!(
            footprint(&dst),
            before,
            "{name}: a second import changed something"
        );
        let src_copies = src.count(&format!(
            "SELECT COUNT(*) FROM copies c JOIN dossiers d ON d.id = c.dossier_id WHERE d.code IN ('{D1}', '{D2}')"
        ));
        assert_eq!(before.1, src_copies, "{name}");
    }
}

/// The SHA-512 of each stored file, recorded once (by a fixity pass, an
/// import or an export) and then taken by every export instead of hashing
/// again: the manifests stay right, and a damaged file is still refused.
#[test]
fn recorded_sha512s_serve_exports_and_damage_is_still_refused() {
    use sha2::Digest;
    let env = Env::new();
    env.load_fixtures();
    let dir = env.tmp.path();
    let unknown = || env.count("SELECT COUNT(*) FROM files WHERE sha512 IS NULL");
    let all = env.count("SELECT COUNT(*) FROM files");
    assert_eq!(unknown(), all, "nothing computes a SHA-512 at ingest");
    let export = |name: &str| {
        env.run(&[
            "--json".as_ref(),
            "bag".as_ref(),
            "export".as_ref(),
            D1.as_ref(),
            D2.as_ref(),
            "-o".as_ref(),
            dir.join(name).as_os_str(),
        ])
    };
    // A first export computes the SHA-512s of its files and keeps them.
    assert_eq!(export("first").code, 0);
    let after_export = unknown();
    assert!(after_export < all, "{after_export} of {all} still unknown");
    // A fixity pass records the rest.
    run_ok(&env, &["verify"]);
    assert_eq!(unknown(), 0);
    let recorded: Vec<(String, String)> = {
        let db = env.db();
        let mut q = db.prepare("SELECT sha256, sha512 FROM files").unwrap();
        q.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    for object in env.objects() {
        let bytes = std::fs::read(&object).unwrap();
        let sha256 = hex::encode(sha2::Sha256::digest(&bytes));
        let (_, sha512) = recorded.iter().find(|(s, _)| *s == sha256).unwrap();
        assert_eq!(*sha512, hex::encode(sha2::Sha512::digest(&bytes)));
    }
    // The next exports take them: same manifests, and bagit.py agrees.
    for name in ["second", "second.tar"] {
        assert_eq!(export(name).code, 0, "{name}");
    }
    for name in ["manifest-sha256.txt", "manifest-sha512.txt"] {
        assert_eq!(
            std::fs::read_to_string(dir.join("first").join(name)).unwrap(),
            std::fs::read_to_string(dir.join("second").join(name)).unwrap(),
            "{name}"
        );
    }
    let (ok, err) = peer_validates(&dir.join("second"));
    assert!(
        ok,
        "bagit.py refused the bag made from recorded SHA-512s: {err}"
    );
    run_ok(
        &env,
        &[
            "bag".as_ref(),
            "validate".as_ref(),
            dir.join("second.tar").as_os_str(),
        ],
    );
    // An import records the SHA-512s the bag's validation computed.
    let dst = Env::new();
    run_ok(
        &dst,
        &[
            "bag".as_ref(),
            "import".as_ref(),
            dir.join("second").as_os_str(),
        ],
    );
    assert!(dst.count("SELECT COUNT(*) FROM files") > 0);
    assert_eq!(
        dst.count("SELECT COUNT(*) FROM files WHERE sha512 IS NULL"),
        0
    );
    // One flipped bit in one of D1's stored files: the export is refused,
    // and nothing is left behind.
    let held: String = env
        .db()
        .query_row(
            "SELECT c.sha256 FROM copies c JOIN dossiers d ON d.id = c.dossier_id WHERE d.code = ?1 LIMIT 1",
            [D1],
            |r| r.get(0),
        )
        .unwrap();
    let object = env
        .objects()
        .into_iter()
        .find(|o| crate::sha256_of(o) == held)
        .unwrap();
    flip_a_bit(&object, 3);
    for name in ["damaged", "damaged.zip"] {
        let r = export(name);
        assert_ne!(r.code, 0, "{name}: {}", r.stdout);
        assert!(
            r.stderr.contains("damaged") || r.stdout.contains("damaged"),
            "{}",
            r.stderr
        );
        assert!(!dir.join(name).exists(), "{name} was left behind");
    }
}

#[test]
fn a_bag_made_by_bagit_py_imports() {
    let env = Env::new();
    let bag = env.tmp.path().join("peer");
    std::fs::create_dir_all(&bag).unwrap();
    for f in [format!("{D1}_TP1_scan.pdf"), format!("{D2}_TP3_scan.png")] {
        std::fs::copy(fixture(&format!("paper/{f}")), bag.join(&f)).unwrap();
    }
    let o = Command::new(bagit_py())
        .arg("--contact-name")
        .arg("Peer")
        .arg(&bag)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r = env.json(&["bag".as_ref(), "import".as_ref(), bag.as_os_str()]);
    assert_eq!(r["files_stored"], 2, "{r}");
    assert_eq!(
        env.count(&format!(
            "SELECT COUNT(*) FROM dossiers WHERE code IN ('{D1}', '{D2}')"
        )),
        2
    );
}

/// Makes a good folder bag of one small file and returns its path.
fn small_bag(env: &Env, name: &str) -> PathBuf {
    let src = env.tmp.path().join(format!("{name}-src"));
    std::fs::create_dir_all(&src).unwrap();
    std::fs::copy(
        fixture(&format!("paper/{D1}_TP1_scan.pdf")),
        src.join("a.pdf"),
    )
    .unwrap();
    let o = Command::new(bagit_py()).arg(&src).output().unwrap();
    assert!(o.status.success());
    src
}

fn rewrite_manifests(bag: &Path, edit: impl Fn(&str) -> String) {
    for m in ["manifest-sha256.txt", "manifest-sha512.txt"] {
        let p = bag.join(m);
        let s = std::fs::read_to_string(&p).unwrap();
        std::fs::write(&p, edit(&s)).unwrap();
    }
}

fn assert_refused(env: &Env, bag: &Path, code: &str) {
    let r = env.run(&[
        "--json".as_ref(),
        "bag".as_ref(),
        "import".as_ref(),
        bag.as_os_str(),
    ]);
    assert_eq!(r.code, 2, "{bag:?} was not refused: {}", r.stdout);
    assert_eq!(r.json()["error"]["code"], code, "{bag:?}: {}", r.stdout);
    assert!(r.stderr.contains("nothing was written"), "{}", r.stderr);
    assert_eq!(
        footprint(env),
        (0, 0, 0, 0),
        "{bag:?}: something was written"
    );
}

#[test]
fn bad_bags_are_refused_with_nothing_written() {
    let env = Env::new();
    // Create the data folder first so the footprint can be read.
    run_ok(&env, &["verify"]);

    let dotdot = small_bag(&env, "dotdot");
    rewrite_manifests(&dotdot, |s| s.replace("data/a.pdf", "data/../../a.pdf"));
    assert_refused(&env, &dotdot, "bag_unsafe_path");

    let abs = small_bag(&env, "abs");
    rewrite_manifests(&abs, |s| s.replace("data/a.pdf", "/etc/passwd"));
    assert_refused(&env, &abs, "bag_unsafe_path");

    let link = small_bag(&env, "link");
    std::os::unix::fs::symlink("/etc/passwd", link.join("data/b.pdf")).unwrap();
    assert_refused(&env, &link, "bag_link");

    let unlisted = small_bag(&env, "unlisted");
    std::fs::write(unlisted.join("data/extra.pdf"), b"%PDF-1.4 smuggled").unwrap();
    assert_refused(&env, &unlisted, "bag_not_in_manifest");

    let wrong = small_bag(&env, "wrong");
    let p = wrong.join("data/a.pdf");
    let mut bytes = std::fs::read(&p).unwrap();
    bytes[100] ^= 0x01;
    std::fs::write(&p, bytes).unwrap();
    assert_refused(&env, &wrong, "bag_wrong_hash");

    // A truncated zip: our own good zip, cut short.
    let src = Env::new();
    src.load_fixtures();
    let zip = env.tmp.path().join("good.zip");
    run_ok(
        &src,
        &[
            "bag".as_ref(),
            "export".as_ref(),
            D1.as_ref(),
            "-o".as_ref(),
            zip.as_os_str(),
        ],
    );
    let bytes = std::fs::read(&zip).unwrap();
    let cut = env.tmp.path().join("cut.zip");
    std::fs::write(&cut, &bytes[..bytes.len() * 2 / 3]).unwrap();
    assert_refused(&env, &cut, "bag_corrupt");

    // 10,000 tiny files whose real size exceeds the declared Oxum.
    let many = env.tmp.path().join("many");
    std::fs::create_dir_all(many.join("data")).unwrap();
    let mut m256 = String::new();
    for i in 0..10_000 {
        let name = format!("data/f{i:05}.txt");
        std::fs::write(many.join(&name), b"x").unwrap();
        m256.push_str(&format!(
            "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881  {name}\n"
        ));
    }
    std::fs::write(many.join("manifest-sha256.txt"), m256).unwrap();
    std::fs::write(
        many.join("bagit.txt"),
        "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n",
    )
    .unwrap();
    std::fs::write(many.join("bag-info.txt"), "Payload-Oxum: 100.10000\n").unwrap();
    assert_refused(&env, &many, "bag_oxum");
}

#[test]
fn fixity_finds_a_flipped_bit_and_keeps_history() {
    let env = Env::new();
    let scan = fixture(&format!("paper/{D1}_TP1_scan.pdf"));
    env.json(&["ingest".as_ref(), scan.as_os_str()]);
    let ok = env.json(&["verify"]);
    assert_eq!(ok["intact"], 1);
    let object = env.objects().remove(0);
    let sha = crate::sha256_of(&scan);
    flip_a_bit(&object, 2);
    let r = env.run(&["--json", "verify"]);
    assert_eq!(r.code, 1);
    assert_eq!(r.json()["changed"], serde_json::json!([sha]));
    let h = env.json(&["verify", "--history", &sha]);
    let results: Vec<_> = h
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["result"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(results, ["intact", "changed"]);
    // Paced and limited passes work too, oldest verification first.
    let r = env.run(&["--json", "verify", "--max-files", "1", "--pace-mb", "50"]);
    assert_eq!(r.json()["checked"], 1);
}

#[test]
fn an_edited_audit_row_is_named() {
    let env = Env::new();
    env.load_fixtures();
    let ok = env.json(&["audit", "verify"]);
    assert_eq!(ok["ok"], true);
    let events = ok["events"].as_i64().unwrap();
    assert!(events >= 5, "{ok}");
    let db = env.db();
    db.execute_batch("DROP TRIGGER audit_events_no_update; UPDATE audit_events SET actor = 'mallory' WHERE seq = 3;")
        .unwrap();
    let r = env.run(&["--json", "audit", "verify"]);
    assert_eq!(r.code, 1);
    assert_eq!(r.json()["first_bad"], 3);
    assert_eq!(r.json()["problem"], "edited");
    let r = env.run(&["audit", "verify"]);
    assert!(r.stdout.contains("#3"), "{}", r.stdout);
}

/// A file linked to the wrong component is taken back: the link goes, the
/// file stays stored, the dossier's history says who did it and what the
/// link was; a supervisor may not, and the refusal is audited.
#[test]
fn a_wrong_link_is_taken_back_and_audited() {
    let env = Env::new();
    env.load_fixtures();
    let scan = fixture(&format!("paper/{D1}_TP1_scan.pdf"));
    // The clerk's slip: the TP1 scan also filed under TP2.
    run_ok(
        &env,
        &[
            "ingest".as_ref(),
            "--dossier".as_ref(),
            D1.as_ref(),
            "--component".as_ref(),
            "TP2".as_ref(),
            scan.as_os_str(),
        ],
    );
    let wrong = |env: &Env| -> Vec<i64> {
        env.json(&["show", D1])["components"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["code"] == "TP2")
            .flat_map(|c| c["paper"].as_array().unwrap().clone())
            .filter(|p| p["name"].as_str().unwrap().contains("TP1"))
            .map(|p| p["id"].as_i64().unwrap())
            .collect()
    };
    let ids = wrong(&env);
    assert_eq!(ids.len(), 1, "the slip is linked once");
    let id = ids[0].to_string();
    // `show` prints the link id the command takes.
    let text = run_ok(&env, &["--lang", "vi", "show", D1]);
    assert!(
        text.contains(&format!("#{id} giấy  {D1}_TP1_scan.pdf")),
        "{text}"
    );

    let (objects, files) = (env.objects().len(), env.count("SELECT COUNT(*) FROM files"));
    let out = run_ok(&env, &["--lang", "vi", "unlink", &id]);
    assert!(out.contains(&format!("Đã gỡ liên kết #{id}")), "{out}");
    assert!(wrong(&env).is_empty());
    // TP1 keeps its own link; the file and its bytes stay.
    let tp1 = component(&env.json(&["show", D1]), "TP1")["paper"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(tp1, 1);
    assert_eq!(env.objects().len(), objects);
    assert_eq!(env.count("SELECT COUNT(*) FROM files"), files);
    let history = env.json(&["audit", "log", "--dossier", D1]);
    let last = history.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "unlink", "{last}");
    let before = last["before"].as_str().unwrap();
    assert!(before.contains("\"component\":\"TP2\""), "{before}");
    assert!(before.contains(&format!("{D1}_TP1_scan.pdf")), "{before}");
    run_ok(&env, &["audit", "verify"]);
    // Twice: nothing left to take back.
    let r = env.run(&["--json", "unlink", &id]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.contains("copy_not_found"), "{}", r.stdout);

    // With accounts, a supervisor may not; the refusal is audited.
    add_user(&env, "admin", "administrator", false);
    add_user(&env, "hoa", "supervisor", true);
    let tp1_id = env.json(&["show", D1])["components"][0]["paper"][0]["id"].clone();
    let o = env
        .command()
        .env("DOISOAT_USER", "hoa")
        .env("DOISOAT_PASSWORD", "hoa-mật-khẩu")
        .args(["--lang", "vi", "unlink", &tp1_id.to_string()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("không được phép gỡ tệp khỏi hồ sơ"), "{err}");
    assert_eq!(
        env.count("SELECT COUNT(*) FROM audit_events WHERE actor = 'hoa' AND action = 'unlink' AND outcome = 'refused'"),
        1
    );
}

#[test]
fn a_clerk_cannot_resolve_and_the_refusal_is_audited() {
    let env = Env::new();
    env.load_fixtures();
    run_ok(&env, &["reconcile"]);
    let findings = env.json(&["findings"]);
    let id = findings[0]["id"]
        .as_i64()
        .expect("the fixtures give findings")
        .to_string();
    add_user(&env, "admin", "administrator", false);
    add_user(&env, "lan", "clerk", true);
    add_user(&env, "minh", "archivist", true);

    // Without signing in, a folder with accounts refuses.
    let r = env.run(&["decide", &id]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("sign in"), "{}", r.stderr);

    let as_user = |name: &str, args: &[&str]| {
        env.command()
            .env("DOISOAT_USER", name)
            .env("DOISOAT_PASSWORD", format!("{name}-mật-khẩu"))
            .args(args)
            .output()
            .unwrap()
    };
    let o = as_user("lan", &["--lang", "vi", "decide", &id, "--note", "ok"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("lan (cán bộ tiếp nhận) không được phép xử lý phát hiện"),
        "{err}"
    );
    let o = as_user("lan", &["--json", "decide", &id]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("\"forbidden\""));
    assert_eq!(
        env.count(&format!(
            "SELECT COUNT(*) FROM findings WHERE id = {id} AND status = 'open'"
        )),
        1
    );
    assert_eq!(
        env.count(
            "SELECT COUNT(*) FROM audit_events WHERE actor = 'lan' AND action = 'resolve' AND outcome = 'refused'"
        ),
        2
    );
    // A wrong password is refused and audited too.
    let o = env
        .command()
        .env("DOISOAT_USER", "lan")
        .env("DOISOAT_PASSWORD", "nope")
        .args(["findings"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        env.count(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'sign_in' AND outcome = 'refused'"
        ),
        1
    );

    // The archivist may, and the decision carries the account's name.
    let o = as_user("minh", &["--json", "decide", &id, "--note", "đã kiểm tra"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let f: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(f[0]["actor"], "minh");
    assert_eq!(
        env.count("SELECT COUNT(*) FROM audit_events WHERE actor = 'minh' AND action = 'resolve' AND outcome = 'ok'"),
        1
    );
    // Only the administrator manages users.
    let o = as_user("minh", &["user", "list"]);
    assert_eq!(o.status.code(), Some(2));
    let o = as_user("admin", &["audit", "verify"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn backup_then_restore_into_an_empty_folder_is_identical() {
    let env = Env::new();
    env.load_fixtures();
    let backup = env.tmp.path().join("backup");
    let b = env.json(&["backup".as_ref(), backup.as_os_str()]);
    assert!(b["objects"].as_u64().unwrap() >= 8, "{b}");
    let restored = env.tmp.path().join("restored");
    let r = Command::new(env!("CARGO_BIN_EXE_doisoat"))
        .arg("--json")
        .arg("--data-dir")
        .arg(&restored)
        .arg("restore")
        .arg(&backup)
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let r: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(r["identical"], true);
    assert_eq!(r["db_content_sha256"], b["db_content_sha256"]);
    assert_eq!(r["objects"], b["objects"]);
    // The restored folder works and holds the same dossiers.
    let o = Command::new(env!("CARGO_BIN_EXE_doisoat"))
        .arg("--json")
        .arg("--data-dir")
        .arg(&restored)
        .args(["show", D1])
        .output()
        .unwrap();
    assert!(o.status.success());
    // Restoring over a non-empty folder is refused.
    let again = env.run(&["restore".as_ref(), backup.as_os_str()]);
    assert_eq!(again.code, 2);
}
