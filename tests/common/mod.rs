//! Helpers shared by pounce's integration tests: running the `pounce` binary, paths in the
//! package, scratch files, and loading rule files with every function pounce ships. The
//! language's own helpers (semantics tables, diagnostics checks, explanation-tree laws) are
//! crates/lang/tests/common/mod.rs, included here as [`lang`].
#![allow(
    dead_code,
    unused_imports,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../../crates/lang/tests/common/mod.rs"]
#[macro_use]
pub mod lang;

pub use lang::first_error;

use pounce::panther::Rule;
use pounce::panther::diagnostics::FileReport;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The seed policy: the rule the project started from, used across the tests.
pub const SEED: &str = "policies/aws_vpc/aws_security_group_restricts_outbound_traffic.yml";

/// The package root; relative paths in the tests are relative to it.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every function pounce ships.
pub fn registry() -> pounce::Registry {
    pounce::standard_registry()
}

/// The rules and the invalid files under `paths` (relative to the package root), loaded with
/// every function pounce ships.
pub fn load(paths: &[&str]) -> (Vec<Rule>, Vec<FileReport>) {
    let paths: Vec<PathBuf> = paths.iter().map(|p| root().join(p)).collect();
    pounce::panther::load_paths(&paths, &registry())
}

/// What a run of the `pounce` binary printed and returned.
#[derive(Debug)]
pub struct Run {
    /// The exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    fn of(out: Output) -> Run {
        Run {
            code: out.status.code().expect("exit code"),
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
        }
    }
}

/// The `pounce` binary, run from the package root without colour (`NO_COLOR=1`).
fn command(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_pounce"));
    c.current_dir(root()).env("NO_COLOR", "1").args(args);
    c
}

/// `pounce ARGS...` with nothing on standard input.
pub fn pounce(args: &[&str]) -> Run {
    Run::of(command(args).stdin(Stdio::null()).output().unwrap())
}

/// `pounce ARGS...` with `input` on standard input (written from another thread: pounce reads
/// while it writes, and a big input fills the pipe).
pub fn pounce_with_input(args: &[&str], input: &[u8]) -> Run {
    let mut child = command(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    Run::of(out)
}

/// The path of a fresh folder `name` in the scratch folder `dir` of the test binaries: whatever
/// was there is removed, and the folder itself is not created.
pub fn fresh_dir(dir: &str, name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(dir)
        .join(name);
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// Writes `bytes` to `name` in the scratch folder `dir` of the test binaries, and returns its
/// path.
pub fn scratch_file(dir: &str, name: &str, bytes: &[u8]) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The upstream Panther corpus beside the repository (`../shared/corpus/panther/SUB`), when it
/// is there. When it is not, says so on the test run's stderr (written to the file descriptor,
/// past libtest's capture, so that the skip shows in `cargo test` output) and returns `None`;
/// with `POUNCE_REQUIRE_CORPUS=1` a missing corpus fails the test instead.
pub fn corpus(test: &str, sub: &str) -> Option<PathBuf> {
    let p = root().join("../shared/corpus/panther").join(sub);
    if p.is_dir() {
        return Some(p);
    }
    let why = format!("{} not found", p.display());
    if std::env::var_os("POUNCE_REQUIRE_CORPUS").is_some_and(|v| v == "1") {
        panic!("{test}: {why} (POUNCE_REQUIRE_CORPUS=1)");
    }
    skipped(test, &why);
    None
}

/// Reports a skipped test where `cargo test` shows it: straight to stderr, not through the
/// captured `eprintln!`.
pub fn skipped(test: &str, why: &str) {
    let _ = writeln!(std::io::stderr(), "SKIPPED {test}: {why}");
}
