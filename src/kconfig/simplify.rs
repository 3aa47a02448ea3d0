//! The expression rewrites conf applies while finalizing menus (expr.c): expr_transform()
//! and expr_eliminate_dups() with their helpers. They preserve values; conf prints the
//! rewritten forms in its messages ("Depends on [n]: ..."), so xenlint rewrites the same
//! way to print the same text.

use std::cell::Cell;
use std::sync::Arc;

use super::expr::{CmpOp, Expr};
use super::model::{SymbolId, SymbolType};

/// What the rewrites need to know about symbols.
#[derive(Clone, Copy)]
pub struct SymInfo<'a> {
    pub types: &'a [SymbolType],
    /// SYMBOL_CONST: y, m, n and quoted strings.
    pub is_const: &'a [bool],
    /// Steps of rewriting left to the tree (`REWRITE_STEPS`).
    pub fuel: &'a Cell<u64>,
}

/// Steps of rewriting (a pair of leaves compared, a subtree rewritten) one tree may take.
/// The rewrites cost the square of an expression's operands or worse, in conf as here:
/// one `depends on` line of 3,000 operands takes conf 14.6 s, 10,000 over two minutes
/// (xenlint 2.7 s before this budget), 100,000 hung both. The trees of 5.10, 6.1, 6.12
/// and 7.2 take at most 380,086 steps for an arch (7.2, arm); the budget takes about
/// 0.4 s. Past it the rewrites stop: they preserve values, so the configuration is the
/// same, and the tree is reported (`Finalized::rewrites_exhausted`).
pub const REWRITE_STEPS: u64 = 50_000_000;

impl SymInfo<'_> {
    fn stype(&self, s: SymbolId) -> SymbolType {
        self.types[s.0 as usize]
    }

    /// Take one step of the budget: false once it is spent.
    fn spend(&self) -> bool {
        let left = self.fuel.get();
        if left == 0 {
            return false;
        }
        self.fuel.set(left - 1);
        true
    }
}

const YES: SymbolId = SymbolId::YES;
const NO: SymbolId = SymbolId::NO;
const MOD: SymbolId = SymbolId::MOD;

fn is_sym(e: &Expr, s: SymbolId) -> bool {
    matches!(e, Expr::Symbol(x) if *x == s)
}

fn is_yes(e: Option<&Expr>) -> bool {
    match e {
        None => true,
        Some(e) => is_sym(e, YES),
    }
}

/// expr_transform().
pub fn transform(e: &Expr, info: &SymInfo) -> Expr {
    let e = match e {
        Expr::And(a, b) => Expr::and(transform(a, info), transform(b, info)),
        Expr::Or(a, b) => Expr::or(transform(a, info), transform(b, info)),
        Expr::Not(a) => Expr::not(transform(a, info)),
        other => other.clone(),
    };
    match &e {
        Expr::Cmp(CmpOp::Equal, a, b) if info.stype(*a) == SymbolType::Bool => {
            if *b == NO {
                return Expr::not(Expr::sym(*a));
            }
            if *b == MOD {
                return Expr::sym(NO);
            }
            if *b == YES {
                return Expr::sym(*a);
            }
            e
        }
        Expr::Cmp(CmpOp::Unequal, a, b) if info.stype(*a) == SymbolType::Bool => {
            if *b == NO {
                return Expr::sym(*a);
            }
            if *b == MOD {
                return Expr::sym(YES);
            }
            if *b == YES {
                return Expr::not(Expr::sym(*a));
            }
            e
        }
        Expr::Not(inner) => match inner.as_ref() {
            Expr::Not(x) => (**x).clone(),
            Expr::Cmp(op @ (CmpOp::Equal | CmpOp::Unequal), a, b) => {
                let flipped = if *op == CmpOp::Equal {
                    CmpOp::Unequal
                } else {
                    CmpOp::Equal
                };
                Expr::Cmp(flipped, *a, *b)
            }
            Expr::Cmp(op @ (CmpOp::LessEqual | CmpOp::GreaterEqual), a, b) => {
                let flipped = if *op == CmpOp::LessEqual {
                    CmpOp::Greater
                } else {
                    CmpOp::Less
                };
                Expr::Cmp(flipped, *a, *b)
            }
            Expr::Cmp(op @ (CmpOp::Less | CmpOp::Greater), a, b) => {
                let flipped = if *op == CmpOp::Less {
                    CmpOp::GreaterEqual
                } else {
                    CmpOp::LessEqual
                };
                Expr::Cmp(flipped, *a, *b)
            }
            Expr::Or(a, b) => transform(
                &Expr::and(Expr::not((**a).clone()), Expr::not((**b).clone())),
                info,
            ),
            Expr::And(a, b) => transform(
                &Expr::or(Expr::not((**a).clone()), Expr::not((**b).clone())),
                info,
            ),
            Expr::Symbol(s) if *s == YES => Expr::sym(NO),
            Expr::Symbol(s) if *s == MOD => Expr::sym(MOD),
            Expr::Symbol(s) if *s == NO => Expr::sym(YES),
            _ => e,
        },
        _ => e,
    }
}

/// expr_eliminate_yn().
fn eliminate_yn(e: Expr, info: &SymInfo) -> Expr {
    let shared = Arc::new(e);
    match eliminate_yn_shared(&shared, info) {
        Some(changed) => Arc::unwrap_or_clone(changed),
        None => Arc::unwrap_or_clone(shared),
    }
}

/// eliminate_yn() on a shared subtree: `None` when nothing changes, so unchanged subtrees
/// stay shared instead of being rebuilt.
fn eliminate_yn_shared(e: &Arc<Expr>, info: &SymInfo) -> Option<Arc<Expr>> {
    let (a, b, is_and) = match &**e {
        Expr::And(a, b) => (a, b, true),
        Expr::Or(a, b) => (a, b, false),
        _ => return None,
    };
    if !info.spend() {
        return None;
    }
    let new_l = eliminate_yn_shared(a, info);
    let new_r = eliminate_yn_shared(b, info);
    let l = new_l.as_ref().unwrap_or(a);
    let r = new_r.as_ref().unwrap_or(b);
    // expr && n -> n, expr && y -> expr, expr || n -> expr, expr || y -> y.
    let (absorbing, neutral) = if is_and { (NO, YES) } else { (YES, NO) };
    if is_sym(l, absorbing) || is_sym(l, neutral) {
        return Some(if is_sym(l, absorbing) {
            l.clone()
        } else {
            r.clone()
        });
    }
    if is_sym(r, absorbing) || is_sym(r, neutral) {
        return Some(if is_sym(r, absorbing) {
            r.clone()
        } else {
            l.clone()
        });
    }
    if new_l.is_none() && new_r.is_none() {
        return None;
    }
    let node = if is_and {
        Expr::And(l.clone(), r.clone())
    } else {
        Expr::Or(l.clone(), r.clone())
    };
    Some(Arc::new(node))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    And,
    Or,
}

fn op_of(e: &Expr) -> Option<Op> {
    match e {
        Expr::And(..) => Some(Op::And),
        Expr::Or(..) => Some(Op::Or),
        _ => None,
    }
}

fn make(op: Op, l: Expr, r: Expr) -> Expr {
    match op {
        Op::And => Expr::and(l, r),
        Op::Or => Expr::or(l, r),
    }
}

fn children(e: &Expr) -> (&Expr, &Expr) {
    match e {
        Expr::And(a, b) | Expr::Or(a, b) => (a, b),
        _ => unreachable!("children is only called on && and ||"),
    }
}

fn split(e: Expr) -> (Expr, Expr) {
    match e {
        Expr::And(a, b) | Expr::Or(a, b) => (Arc::unwrap_or_clone(a), Arc::unwrap_or_clone(b)),
        _ => unreachable!("split is only called on && and ||"),
    }
}

struct Rewriter<'a> {
    info: &'a SymInfo<'a>,
    trans_count: u32,
}

impl Rewriter<'_> {
    /// __expr_eliminate_eq().
    fn eliminate_eq_inner(&mut self, op: Op, e1: &mut Expr, e2: &mut Expr) {
        if !self.info.spend() {
            return;
        }
        if op_of(e1) == Some(op) {
            let (mut l, mut r) = split(std::mem::replace(e1, Expr::sym(NO)));
            self.eliminate_eq_inner(op, &mut l, e2);
            self.eliminate_eq_inner(op, &mut r, e2);
            *e1 = make(op, l, r);
            return;
        }
        if op_of(e2) == Some(op) {
            let (mut l, mut r) = split(std::mem::replace(e2, Expr::sym(NO)));
            self.eliminate_eq_inner(op, e1, &mut l);
            self.eliminate_eq_inner(op, e1, &mut r);
            *e2 = make(op, l, r);
            return;
        }
        if let (Expr::Symbol(a), Expr::Symbol(b)) = (&*e1, &*e2) {
            if a == b && (*a == YES || *a == NO) {
                return;
            }
        }
        if !self.eq(e1, e2) {
            return;
        }
        self.trans_count += 1;
        let replacement = if op == Op::Or { NO } else { YES };
        *e1 = Expr::sym(replacement);
        *e2 = Expr::sym(replacement);
    }

    /// expr_eliminate_eq().
    fn eliminate_eq(&mut self, e1: &mut Expr, e2: &mut Expr) {
        if let Some(op) = op_of(e1) {
            self.eliminate_eq_inner(op, e1, e2);
        }
        if op_of(e1) != op_of(e2) || std::mem::discriminant(&*e1) != std::mem::discriminant(&*e2) {
            if let Some(op) = op_of(e2) {
                self.eliminate_eq_inner(op, e1, e2);
            }
        }
        *e1 = eliminate_yn(std::mem::replace(e1, Expr::sym(NO)), self.info);
        *e2 = eliminate_yn(std::mem::replace(e2, Expr::sym(NO)), self.info);
    }

    /// expr_eq().
    fn eq(&mut self, e1: &Expr, e2: &Expr) -> bool {
        if !self.info.spend() {
            return false;
        }
        // Identical trees are equal under expr_eq(): every leaf pairs with its twin.
        if e1 == e2 {
            return true;
        }
        match (e1, e2) {
            (Expr::Cmp(o1, a1, b1), Expr::Cmp(o2, a2, b2)) => o1 == o2 && a1 == a2 && b1 == b2,
            (Expr::Symbol(a), Expr::Symbol(b)) => a == b,
            (Expr::Not(a), Expr::Not(b)) => self.eq(a, b),
            (Expr::And(..), Expr::And(..)) | (Expr::Or(..), Expr::Or(..)) => {
                let saved = self.trans_count;
                let mut a = e1.clone();
                let mut b = e2.clone();
                self.eliminate_eq(&mut a, &mut b);
                let result = matches!((&a, &b), (Expr::Symbol(x), Expr::Symbol(y)) if x == y);
                self.trans_count = saved;
                result
            }
            _ => false,
        }
    }

    fn leaf_sym(e: &Expr, allow_cmp_under_not: bool) -> Option<SymbolId> {
        match e {
            Expr::Symbol(s) => Some(*s),
            Expr::Cmp(CmpOp::Equal | CmpOp::Unequal, a, _) => Some(*a),
            Expr::Not(inner) => match inner.as_ref() {
                Expr::Symbol(s) => Some(*s),
                Expr::Cmp(CmpOp::Equal | CmpOp::Unequal, a, _) if allow_cmp_under_not => Some(*a),
                _ => None,
            },
            _ => None,
        }
    }

    /// The checks expr_join_or() and expr_join_and() share: both leaves about one
    /// bool or tristate symbol.
    fn joinable(&self, e1: &Expr, e2: &Expr) -> Option<SymbolId> {
        let sym1 = Self::leaf_sym(e1, true)?;
        let sym2 = Self::leaf_sym(e2, false)?;
        if sym1 != sym2 {
            return None;
        }
        match self.info.stype(sym1) {
            SymbolType::Bool | SymbolType::Tristate => Some(sym1),
            _ => None,
        }
    }

    /// expr_join_or().
    fn join_or(&mut self, e1: &Expr, e2: &Expr) -> Option<Expr> {
        if self.eq(e1, e2) {
            return Some(e1.clone());
        }
        let sym = self.joinable(e1, e2)?;
        let rights = |e: &Expr| match e {
            Expr::Cmp(CmpOp::Equal, _, r) => Some(*r),
            _ => None,
        };
        if self.info.stype(sym) == SymbolType::Tristate {
            if let (Some(r1), Some(r2)) = (rights(e1), rights(e2)) {
                let pair = |x: SymbolId, y: SymbolId| (r1 == x && r2 == y) || (r1 == y && r2 == x);
                if pair(YES, MOD) {
                    return Some(Expr::Cmp(CmpOp::Unequal, sym, NO));
                }
                if pair(YES, NO) {
                    return Some(Expr::Cmp(CmpOp::Unequal, sym, MOD));
                }
                if pair(MOD, NO) {
                    return Some(Expr::Cmp(CmpOp::Unequal, sym, YES));
                }
            }
        }
        if self.info.stype(sym) == SymbolType::Bool {
            let not_sym = |e: &Expr| matches!(e, Expr::Not(inner) if matches!(inner.as_ref(), Expr::Symbol(_)));
            let plain = |e: &Expr| matches!(e, Expr::Symbol(_));
            if (not_sym(e1) && plain(e2)) || (not_sym(e2) && plain(e1)) {
                return Some(Expr::sym(YES));
            }
        }
        None
    }

    /// expr_join_and().
    fn join_and(&mut self, e1: &Expr, e2: &Expr) -> Option<Expr> {
        if self.eq(e1, e2) {
            return Some(e1.clone());
        }
        let sym = self.joinable(e1, e2)?;
        let is_plain = |e: &Expr| matches!(e, Expr::Symbol(_));
        let eq_to = |e: &Expr, v: SymbolId| matches!(e, Expr::Cmp(CmpOp::Equal, _, r) if *r == v);
        let ne_to = |e: &Expr, v: SymbolId| matches!(e, Expr::Cmp(CmpOp::Unequal, _, r) if *r == v);
        let either = |f: &dyn Fn(&Expr, &Expr) -> bool| f(e1, e2) || f(e2, e1);
        if either(&|a, b| is_plain(a) && eq_to(b, YES)) {
            return Some(Expr::Cmp(CmpOp::Equal, sym, YES));
        }
        if either(&|a, b| is_plain(a) && ne_to(b, NO)) {
            return Some(Expr::sym(sym));
        }
        if either(&|a, b| is_plain(a) && ne_to(b, MOD)) {
            return Some(Expr::Cmp(CmpOp::Equal, sym, YES));
        }
        if self.info.stype(sym) == SymbolType::Tristate {
            let is_const = |s: SymbolId| self.info.is_const[s.0 as usize];
            if let (Expr::Cmp(CmpOp::Equal, _, b), Expr::Cmp(CmpOp::Unequal, _, c)) = (e1, e2) {
                if is_const(*c) && is_const(*b) {
                    return Some(if b != c {
                        Expr::Cmp(CmpOp::Equal, sym, *b)
                    } else {
                        Expr::sym(NO)
                    });
                }
            }
            if let (Expr::Cmp(CmpOp::Unequal, _, c), Expr::Cmp(CmpOp::Equal, _, b)) = (e1, e2) {
                if is_const(*c) && is_const(*b) {
                    return Some(if b != c {
                        Expr::Cmp(CmpOp::Equal, sym, *b)
                    } else {
                        Expr::sym(NO)
                    });
                }
            }
            if let (Expr::Cmp(CmpOp::Unequal, _, x), Expr::Cmp(CmpOp::Unequal, _, y)) = (e1, e2) {
                let pair = |p: SymbolId, q: SymbolId| (*x == p && *y == q) || (*x == q && *y == p);
                if pair(YES, NO) {
                    return Some(Expr::Cmp(CmpOp::Equal, sym, MOD));
                }
                if pair(YES, MOD) {
                    return Some(Expr::Cmp(CmpOp::Equal, sym, NO));
                }
                if pair(MOD, NO) {
                    return Some(Expr::Cmp(CmpOp::Equal, sym, YES));
                }
            }
        }
        None
    }

    /// Would eliminate_dups1() join any pair of leaves? Read-only: when the answer is no,
    /// the rewrite is a no-op and the trees need not be rebuilt.
    fn any_join(&mut self, op: Op, e1: &Expr, e2: &Expr) -> bool {
        if !self.info.spend() {
            return false;
        }
        if op_of(e1) == Some(op) {
            let (l, r) = children(e1);
            return self.any_join(op, l, e2) || self.any_join(op, r, e2);
        }
        if op_of(e2) == Some(op) {
            let (l, r) = children(e2);
            return self.any_join(op, e1, l) || self.any_join(op, e1, r);
        }
        let saved = self.trans_count;
        let joined = match op {
            Op::Or => self.join_or(e1, e2).is_some(),
            Op::And => self.join_and(e1, e2).is_some(),
        };
        self.trans_count = saved;
        joined
    }

    /// expr_eliminate_dups1().
    fn eliminate_dups1(&mut self, op: Op, e1: &mut Expr, e2: &mut Expr) {
        if !self.any_join(op, e1, e2) {
            return;
        }
        self.eliminate_dups1_inner(op, e1, e2);
    }

    fn eliminate_dups1_inner(&mut self, op: Op, e1: &mut Expr, e2: &mut Expr) {
        if !self.info.spend() {
            return;
        }
        if op_of(e1) == Some(op) {
            let (mut l, mut r) = split(std::mem::replace(e1, Expr::sym(NO)));
            self.eliminate_dups1_inner(op, &mut l, e2);
            self.eliminate_dups1_inner(op, &mut r, e2);
            *e1 = make(op, l, r);
            return;
        }
        if op_of(e2) == Some(op) {
            let (mut l, mut r) = split(std::mem::replace(e2, Expr::sym(NO)));
            self.eliminate_dups1_inner(op, e1, &mut l);
            self.eliminate_dups1_inner(op, e1, &mut r);
            *e2 = make(op, l, r);
            return;
        }
        let joined = match op {
            Op::Or => self.join_or(e1, e2),
            Op::And => self.join_and(e1, e2),
        };
        if let Some(tmp) = joined {
            *e1 = Expr::sym(if op == Op::Or { NO } else { YES });
            *e2 = tmp;
            self.trans_count += 1;
        }
    }

    /// expr_eliminate_dups().
    fn eliminate_dups(&mut self, e: Expr) -> Expr {
        if !self.info.spend() {
            return e;
        }
        let old = self.trans_count;
        let mut e = e;
        loop {
            self.trans_count = 0;
            if let Some(op) = op_of(&e) {
                let (l, r) = split(e);
                let mut l = self.eliminate_dups(l);
                let mut r = self.eliminate_dups(r);
                self.eliminate_dups1(op, &mut l, &mut r);
                e = make(op, l, r);
            }
            e = eliminate_yn(e, self.info);
            if self.trans_count == 0 {
                break;
            }
        }
        self.trans_count = old;
        e
    }
}

/// expr_eliminate_dups().
pub fn eliminate_dups(e: Option<Expr>, info: &SymInfo) -> Option<Expr> {
    let e = e?;
    let mut rewriter = Rewriter {
        info,
        trans_count: 0,
    };
    Some(rewriter.eliminate_dups(e))
}

/// expr_eliminate_dups(expr_alloc_and(known, other)) where `known` is already the output
/// of expr_eliminate_dups(): the same result, without rewriting `known` again. Menu
/// finalization ANDs every entry's dependency onto its parent's, so this saves the
/// quadratic work of re-deduplicating each parent dependency once per child.
pub fn eliminate_dups_onto(
    known: Option<Expr>,
    other: Option<Expr>,
    info: &SymInfo,
) -> Option<Expr> {
    let (known, other) = match (known, other) {
        (None, other) => return eliminate_dups(other, info),
        (known, None) => return known,
        (Some(k), Some(o)) => (k, o),
    };
    let mut rewriter = Rewriter {
        info,
        trans_count: 0,
    };
    let mut right = rewriter.eliminate_dups(other);
    let mut left = known;
    rewriter.trans_count = 0;
    rewriter.eliminate_dups1(Op::And, &mut left, &mut right);
    let e = eliminate_yn(Expr::and(left, right), info);
    if rewriter.trans_count == 0 {
        return Some(e);
    }
    Some(rewriter.eliminate_dups(e))
}

/// expr_eliminate_eq() on two optional expressions.
pub fn eliminate_eq(
    e1: Option<Expr>,
    e2: Option<Expr>,
    info: &SymInfo,
) -> (Option<Expr>, Option<Expr>) {
    match (e1, e2) {
        (Some(mut a), Some(mut b)) => {
            let mut rewriter = Rewriter {
                info,
                trans_count: 0,
            };
            rewriter.eliminate_eq(&mut a, &mut b);
            (Some(a), Some(b))
        }
        other => other,
    }
}

/// expr_is_yes() for optional expressions.
pub fn expr_is_yes(e: Option<&Expr>) -> bool {
    is_yes(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info<'a>(types: &'a [SymbolType], consts: &'a [bool], fuel: &'a Cell<u64>) -> SymInfo<'a> {
        SymInfo {
            types,
            is_const: consts,
            fuel,
        }
    }

    #[test]
    fn duplicates_and_constants_are_removed() {
        let types = [
            SymbolType::Tristate,
            SymbolType::Tristate,
            SymbolType::Tristate,
            SymbolType::Bool,
            SymbolType::Bool,
        ];
        let consts = [true, true, true, false, false];
        let fuel = Cell::new(REWRITE_STEPS);
        let i = info(&types, &consts, &fuel);
        let a = SymbolId(3);
        let b = SymbolId(4);
        // (A || B) || A -> B || A: the first A becomes n and is dropped, as in expr.c.
        let e = Expr::or(Expr::or(Expr::sym(a), Expr::sym(b)), Expr::sym(a));
        let out = eliminate_dups(Some(e), &i).expect("some");
        assert_eq!(out, Expr::or(Expr::sym(b), Expr::sym(a)));
        // A && y -> A
        let e = Expr::and(Expr::sym(a), Expr::sym(YES));
        assert_eq!(eliminate_dups(Some(e), &i), Some(Expr::sym(a)));
        // !(A || B) -> !A && !B
        let e = Expr::not(Expr::or(Expr::sym(a), Expr::sym(b)));
        assert_eq!(
            transform(&e, &i),
            Expr::and(Expr::not(Expr::sym(a)), Expr::not(Expr::sym(b)))
        );
    }

    #[test]
    fn rewriting_stops_when_the_budget_is_spent_and_keeps_the_expression() {
        let types = [
            SymbolType::Tristate,
            SymbolType::Tristate,
            SymbolType::Tristate,
            SymbolType::Bool,
        ];
        let consts = [true, true, true, false];
        let a = SymbolId(3);
        // A && A && ... && y: rewritten, it is A.
        let mut e = Expr::sym(a);
        for _ in 0..100 {
            e = Expr::and(e, Expr::sym(a));
        }
        let e = Expr::and(e, Expr::sym(YES));
        let fuel = Cell::new(REWRITE_STEPS);
        let out = eliminate_dups(Some(e.clone()), &info(&types, &consts, &fuel));
        assert_eq!(out, Some(Expr::sym(a)));
        assert!(fuel.get() > 0);
        // With nothing left, the expression is returned as it was.
        let fuel = Cell::new(0);
        let out = eliminate_dups(Some(e.clone()), &info(&types, &consts, &fuel));
        assert_eq!(out, Some(e));
    }
}
