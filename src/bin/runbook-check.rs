//! `runbook-check path/to/TELEMETRY.md`: validates a runbook and prints its summary or its errors.

use std::process::ExitCode;

use pivot_lens::core::runbook::check_report;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: runbook-check path/to/TELEMETRY.md");
        return ExitCode::from(2);
    };
    let markdown = match std::fs::read_to_string(&path) {
        Ok(markdown) => markdown,
        Err(error) => {
            eprintln!("{path}: {error}");
            return ExitCode::from(2);
        }
    };
    match check_report(&markdown) {
        Ok(summary) => {
            print!("{summary}");
            ExitCode::SUCCESS
        }
        Err(errors) => {
            eprint!("{errors}");
            ExitCode::FAILURE
        }
    }
}
