//! Kconfig: from a kernel tree to a model of every symbol, menu and property, and (in the
//! resolver) to a configuration. Reads files only through `crate::source::Source`.

pub mod env;
pub mod expr;
pub mod lexer;
pub mod macros;
pub mod model;
pub mod parser;

use crate::source::Source;
use env::KernelEnv;
use macros::{Preprocessor, ShellRunner};
use model::Model;

/// Read the Kconfig tree of `source` as `make ARCH=<arch>` would, starting at `Kconfig`.
pub fn read_tree(source: &dyn Source, env: &KernelEnv, mut shell: ShellRunner) -> Model {
    let macro_env = env.macro_env();
    if shell.env.is_empty() {
        shell.env = env.vars.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    }
    let pp = Preprocessor::new(macro_env, shell);
    parser::Parser::new(source, pp, env.dialect()).parse("Kconfig")
}
