//! Reading a directory of files.

use super::*;

#[test]
fn load_dir_reads_nested_files_in_path_order_and_skips_hidden_ones() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("b/c")).unwrap();
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    std::fs::write(dir.path().join("b/c/z.toml"), "[roles.z]\n").unwrap();
    std::fs::write(dir.path().join("a.toml"), "[roles.a]\n").unwrap();
    std::fs::write(dir.path().join(".git/x.toml"), "not toml at all [").unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not toml at all [").unwrap();
    let desired = load_dir(dir.path()).unwrap();
    let labels: Vec<&str> = desired
        .sources
        .files
        .iter()
        .map(|f| f.label.as_str())
        .collect();
    assert_eq!(labels, vec!["a.toml", "b/c/z.toml"]);
    assert_eq!(desired.sources.roles["z"].file, "b/c/z.toml");

    let missing = load_dir(&dir.path().join("nope")).unwrap_err();
    assert_eq!(missing.errors[0].kind(), ErrorKind::Io);
}
