//! Kconfig expressions (`struct expr` in scripts/kconfig/expr.h), as a tree over symbol ids.
//!
//! Construction and printing live here; evaluation needs symbol values and lives in the
//! resolver. Printing follows expr_print() in expr.c, so messages can quote expressions in
//! the kernel's own form.

use std::sync::Arc;

/// Index of a symbol in `Model::symbols` (defined here, where expressions name symbols, so
/// that expressions do not depend on the model that holds them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct SymbolId(pub u32);

impl SymbolId {
    pub const NO: SymbolId = SymbolId(0);
    pub const MOD: SymbolId = SymbolId(1);
    pub const YES: SymbolId = SymbolId(2);
}

/// A comparison between two symbols.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Equal,
    Unequal,
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
}

impl CmpOp {
    pub fn token(self) -> &'static str {
        match self {
            CmpOp::Equal => "=",
            CmpOp::Unequal => "!=",
            CmpOp::Less => "<",
            CmpOp::LessEqual => "<=",
            CmpOp::Greater => ">",
            CmpOp::GreaterEqual => ">=",
        }
    }
}

/// Subtrees are shared (`Arc`): menu finalization ANDs each parent's dependency into
/// every child's, and sharing keeps that copy-free.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Expr {
    Symbol(SymbolId),
    Not(Arc<Expr>),
    And(Arc<Expr>, Arc<Expr>),
    Or(Arc<Expr>, Arc<Expr>),
    Cmp(CmpOp, SymbolId, SymbolId),
    /// The bounds of a `range` property.
    Range(SymbolId, SymbolId),
}

impl Expr {
    pub fn sym(id: SymbolId) -> Expr {
        Expr::Symbol(id)
    }

    // A constructor named after the kernel's E_NOT, not the `!` operator: Expr is built
    // from owned subtrees, and `Expr::not(e)` reads like expr_alloc_one(E_NOT, e).
    #[allow(clippy::should_implement_trait)]
    pub fn not(e: Expr) -> Expr {
        Expr::Not(Arc::new(e))
    }

    pub fn and(a: Expr, b: Expr) -> Expr {
        Expr::And(Arc::new(a), Arc::new(b))
    }

    pub fn or(a: Expr, b: Expr) -> Expr {
        Expr::Or(Arc::new(a), Arc::new(b))
    }

    /// expr_alloc_and(): a missing side means "no condition".
    pub fn and_opt(a: Option<Expr>, b: Option<Expr>) -> Option<Expr> {
        match (a, b) {
            (None, b) => b,
            (a, None) => a,
            (Some(a), Some(b)) => Some(Expr::and(a, b)),
        }
    }

    /// expr_alloc_or(): a missing side means "no condition".
    pub fn or_opt(a: Option<Expr>, b: Option<Expr>) -> Option<Expr> {
        match (a, b) {
            (None, b) => b,
            (a, None) => a,
            (Some(a), Some(b)) => Some(Expr::or(a, b)),
        }
    }

    /// The same expression over other symbol ids (`map` of each).
    pub fn map_symbols(&self, map: &impl Fn(SymbolId) -> SymbolId) -> Expr {
        match self {
            Expr::Symbol(s) => Expr::Symbol(map(*s)),
            Expr::Not(e) => Expr::not(e.map_symbols(map)),
            Expr::And(a, b) => Expr::and(a.map_symbols(map), b.map_symbols(map)),
            Expr::Or(a, b) => Expr::or(a.map_symbols(map), b.map_symbols(map)),
            Expr::Cmp(op, a, b) => Expr::Cmp(*op, map(*a), map(*b)),
            Expr::Range(a, b) => Expr::Range(map(*a), map(*b)),
        }
    }

    /// Whether `test` holds for a symbol of the expression (operands of comparisons and
    /// ranges included).
    pub fn any_symbol(&self, test: &impl Fn(SymbolId) -> bool) -> bool {
        match self {
            Expr::Symbol(s) => test(*s),
            Expr::Not(e) => e.any_symbol(test),
            Expr::And(a, b) | Expr::Or(a, b) => a.any_symbol(test) || b.any_symbol(test),
            Expr::Cmp(_, a, b) | Expr::Range(a, b) => test(*a) || test(*b),
        }
    }

    /// Every symbol the expression mentions, in order, with repeats.
    pub fn symbols(&self, out: &mut Vec<SymbolId>) {
        match self {
            Expr::Symbol(s) => out.push(*s),
            Expr::Not(e) => e.symbols(out),
            Expr::And(a, b) | Expr::Or(a, b) => {
                a.symbols(out);
                b.symbols(out);
            }
            Expr::Cmp(_, a, b) | Expr::Range(a, b) => {
                out.push(*a);
                out.push(*b);
            }
        }
    }

    /// Rank used to decide parentheses, as expr_compare_type() orders `enum expr_type`.
    fn rank(&self) -> u8 {
        match self {
            Expr::Or(..) => 1,
            Expr::And(..) => 2,
            Expr::Not(..) => 3,
            Expr::Cmp(CmpOp::Equal | CmpOp::Unequal, ..) => 4,
            Expr::Cmp(..) => 5,
            Expr::Symbol(_) | Expr::Range(..) => 6,
        }
    }

    /// Print as expr_print() does, naming symbols through `name`. `parent_rank` is the rank
    /// of the enclosing operator (0 at the top).
    pub fn print_with(
        &self,
        out: &mut String,
        parent_rank: u8,
        name: &mut dyn FnMut(&mut String, SymbolId),
    ) {
        let own = self.rank();
        // expr_compare_type(prevtoken, e->type) > 0: the parent binds tighter.
        let parens =
            parent_rank != 0 && parent_rank > own && own < 6 && !self.same_kind_rank(parent_rank);
        if parens {
            out.push('(');
        }
        match self {
            Expr::Symbol(s) => name(out, *s),
            Expr::Not(e) => {
                out.push('!');
                e.print_with(out, 3, name);
            }
            Expr::Cmp(op, a, b) => {
                name(out, *a);
                out.push_str(op.token());
                name(out, *b);
            }
            Expr::Or(a, b) => {
                a.print_with(out, 1, name);
                out.push_str(" || ");
                b.print_with(out, 1, name);
            }
            Expr::And(a, b) => {
                a.print_with(out, 2, name);
                out.push_str(" && ");
                b.print_with(out, 2, name);
            }
            Expr::Range(a, b) => {
                out.push('[');
                name(out, *a);
                out.push(' ');
                name(out, *b);
                out.push(']');
            }
        }
        if parens {
            out.push(')');
        }
    }

    fn same_kind_rank(&self, parent_rank: u8) -> bool {
        parent_rank == self.rank()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn print(e: &Expr) -> String {
        let names = ["n", "m", "y", "A", "B", "C", "D"];
        let mut out = String::new();
        e.print_with(&mut out, 0, &mut |out, id| {
            out.push_str(names[id.0 as usize])
        });
        out
    }

    fn s(id: u32) -> Expr {
        Expr::sym(SymbolId(id))
    }

    #[test]
    fn printing_adds_parentheses_only_where_precedence_needs_them() {
        // A && (B || C): the || binds looser than its parent.
        assert_eq!(
            print(&Expr::and(s(3), Expr::or(s(4), s(5)))),
            "A && (B || C)"
        );
        // A || B && C needs none.
        assert_eq!(print(&Expr::or(s(3), Expr::and(s(4), s(5)))), "A || B && C");
        // Chains of one operator print flat, whichever way they nest.
        assert_eq!(
            print(&Expr::and(Expr::and(s(3), s(4)), Expr::and(s(5), s(6)))),
            "A && B && C && D"
        );
        assert_eq!(print(&Expr::not(Expr::or(s(3), s(4)))), "!(A || B)");
        assert_eq!(print(&Expr::not(s(3))), "!A");
    }

    #[test]
    fn comparisons_and_ranges_print_in_the_kernels_form() {
        let cmp = Expr::Cmp(CmpOp::Unequal, SymbolId(3), SymbolId(0));
        assert_eq!(print(&cmp), "A!=n");
        assert_eq!(print(&Expr::and(cmp, s(4))), "A!=n && B");
        assert_eq!(print(&Expr::Range(SymbolId(3), SymbolId(4))), "[A B]");
    }

    #[test]
    fn optional_operands_combine_as_the_kernel_does() {
        assert_eq!(Expr::and_opt(None, None), None);
        assert_eq!(Expr::and_opt(Some(s(3)), None), Some(s(3)));
        assert_eq!(
            Expr::or_opt(Some(s(3)), Some(s(4))),
            Some(Expr::or(s(3), s(4)))
        );
    }

    #[test]
    fn symbols_lists_every_symbol_used() {
        let e = Expr::and(
            Expr::Cmp(CmpOp::Equal, SymbolId(3), SymbolId(4)),
            Expr::not(s(5)),
        );
        let mut out = Vec::new();
        e.symbols(&mut out);
        out.sort();
        assert_eq!(out, vec![SymbolId(3), SymbolId(4), SymbolId(5)]);
    }
}
