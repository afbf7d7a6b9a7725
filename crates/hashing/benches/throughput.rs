//! SHA-256 throughput of `doisoat_hashing::hash_file` on a given file, best
//! of three runs. benches/core.sh runs it beside `openssl dgst -sha256`.
//!
//!     cargo bench -p doisoat-hashing --bench throughput -- FILE

use std::time::Instant;

fn main() {
    let Some(path) = std::env::args().skip(1).find(|a| !a.starts_with("--")) else {
        eprintln!("usage: throughput FILE");
        return;
    };
    let path = std::path::PathBuf::from(path);
    let mut best = f64::MAX;
    let mut size = 0;
    let mut digest = String::new();
    for _ in 0..3 {
        let t = Instant::now();
        let (d, n) = doisoat_hashing::hash_file(&path).expect("readable file");
        best = best.min(t.elapsed().as_secs_f64());
        size = n;
        digest = d.to_hex();
    }
    println!(
        "doisoat_hashing  {digest}  {size} bytes  {best:.3} s  {:.0} MB/s",
        size as f64 / best / 1e6
    );
}
