//! What reading the text layer adds to rendering a born-digital page at
//! 200 dpi: every page of the born-digital fixtures is rendered with its
//! words (`Document::render`) and without (`Document::render_native`, the
//! same PDFium render), in turns, and the medians are printed with the
//! load average. Run with `cargo bench -p doisoat-pages --bench render`.

use std::path::Path;
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/portal/electronic");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    files.sort();
    let load = || std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load average before: {}", load().trim());
    let (mut with_words, mut without, mut words) = (Vec::new(), Vec::new(), 0usize);
    for _round in 0..5 {
        for f in &files {
            let doc = doisoat_pages::open(f).unwrap();
            for i in 0..doc.page_count() {
                let t = Instant::now();
                let page = doc.render(i, 200.0).unwrap();
                with_words.push(t.elapsed().as_secs_f64() * 1e3);
                words += page.words.len();
                let t = Instant::now();
                let native = doc.render_native(i, 200.0).unwrap();
                without.push(t.elapsed().as_secs_f64() * 1e3);
                assert_eq!(native.image.width(), page.image.width());
            }
        }
    }
    let pages = with_words.len();
    println!(
        "{pages} renders of born-digital pages at 200 dpi ({} words a page on average)",
        words / pages.max(1)
    );
    println!(
        "median ms/page: with words {:.1}, without {:.1}",
        median(with_words),
        median(without)
    );
    println!("load average after: {}", load().trim());
}
