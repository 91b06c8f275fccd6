//! The emulator extension's own checks (tests/emulator/selfcheck.py, boto3 against our server):
//! if the emulator drifts from AWS's wire format, this fails before the Rust tests mislead.

mod common;

use common::Emulator;

#[test]
fn the_emulator_extension_passes_its_self_check() {
    let emu = Emulator::start();
    let dir = env!("CARGO_MANIFEST_DIR");
    let out = std::process::Command::new(format!("{dir}/target/emulator-venv/bin/python"))
        .arg(format!("{dir}/tests/emulator/selfcheck.py"))
        .arg(emu.url())
        .env_remove("MOTO_ACCOUNT_ID")
        .output()
        .expect("run selfcheck.py");
    assert!(
        out.status.success(),
        "selfcheck failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
