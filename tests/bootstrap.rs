//! `scripts/bootstrap` decides whether to install `libclang-dev` by looking for the
//! library bindgen loads. A fresh machine ships only `libclang-cpp.so.N` (the C++
//! library), which must not count, or the build panics in bindgen.

use std::path::Path;
use std::process::Command;

fn detect(dir: &Path) -> (bool, String) {
    let out = Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/bootstrap"))
        .arg("--detect-libclang")
        .arg(dir)
        .output()
        .expect("scripts/bootstrap runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
    )
}

fn dir_with(files: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in files {
        std::fs::write(dir.path().join(f), b"").unwrap();
    }
    dir
}

#[test]
fn libclang_cpp_alone_is_not_libclang() {
    let dir = dir_with(&["libclang-cpp.so.14", "libclangBasic.a"]);
    let (found, printed) = detect(dir.path());
    assert!(
        !found,
        "libclang-cpp.so.14 was taken for libclang: {printed}"
    );
    assert_eq!(printed, "");
}

#[test]
fn every_name_bindgen_loads_is_found() {
    for name in [
        "libclang.so",
        "libclang-14.so",
        "libclang.so.1",
        "libclang-14.so.1",
    ] {
        let dir = dir_with(&["libclang-cpp.so.14", name]);
        let (found, printed) = detect(dir.path());
        assert!(found, "{name} was not found");
        assert_eq!(printed, dir.path().join(name).display().to_string());
    }
}

#[test]
fn a_missing_directory_is_nothing_found() {
    let dir = tempfile::tempdir().unwrap();
    let (found, _) = detect(&dir.path().join("absent"));
    assert!(!found);
}
