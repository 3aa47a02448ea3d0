//! `xenlint explain`.

use std::process::ExitCode;

use anyhow::bail;

#[derive(clap::Args)]
pub struct Args {
    /// The check's code or name.
    pub code: String,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Args { code } = args;
    explain(&code)
}

fn explain(code: &str) -> anyhow::Result<ExitCode> {
    match xenlint::lint::checks::find(code) {
        Some(check) => {
            out!("{}", check.doc);
            Ok(ExitCode::SUCCESS)
        }
        None => {
            let known: Vec<String> = xenlint::lint::checks::CHECKS
                .iter()
                .map(|c| format!("{} ({})", c.code, c.name))
                .collect();
            bail!("no check `{code}`; the checks are: {}", known.join(", "))
        }
    }
}
