//! XL0003 undefined-reference: References to symbols a commit removed.
//! Documented in undefined_reference.md (`xenlint explain XL0003`); computed by the series engine.

use super::{Check, Scope};
use crate::kconfig::expr::Expr;
use crate::kconfig::model::{Model, Pos, SymbolId};
use crate::lint::context::{new_items, ArchContext};
use crate::lint::finding::ARCHES_HIT;
use crate::lint::snapshot::{defined, is_number, KconfigSnapshot};
use crate::lint::snapshots::UndefinedRefs;
use crate::lint::{Finding, Severity};

pub const CHECK: Check = Check {
    code: "XL0003",
    name: "undefined-reference",
    severity: Severity::Warning,
    doc: include_str!("undefined_reference.md"),
    scope: Scope::Arch(check),
    needs_kbuild: false,
};

fn check(cx: &ArchContext) -> Vec<Finding> {
    undefined_references(cx)
}

/// References to symbols `tree` does not define but `base` (the arch's tree at the base)
/// does: (owner, missing) -> (file, line) where first said. XL0003 is about those alone
/// (a name the base does not define either was never lost), so the others are not
/// gathered, and at the base itself (`None`) there are none.
pub(crate) fn undefined_at(
    tree: &KconfigSnapshot,
    base: Option<&KconfigSnapshot>,
) -> UndefinedRefs {
    let model: &Model = &tree.model;
    let mut out = UndefinedRefs::new();
    let Some(base) = base else {
        return out;
    };
    // The symbols named without a definition here and defined at the base: few, mostly
    // none, so most expressions are passed over by a test per symbol they name.
    let undefined: Vec<bool> = (model.symbols.iter())
        .map(|s| {
            !s.is_const
                && s.menus.is_empty()
                && s.name
                    .as_deref()
                    .is_some_and(|n| !is_number(n) && defined(base, n).is_some())
        })
        .collect();
    if !undefined.contains(&true) {
        return out;
    }
    let is_undefined = |s: SymbolId| undefined[s.0 as usize];
    // Gathered by ids, the first place each pair is said kept; named once at the end.
    let mut first: crate::FastMap<(SymbolId, SymbolId), Pos> = Default::default();
    let mut referenced = Vec::new();
    let mut note = |owner: SymbolId, e: &Expr, pos: Pos| {
        if !e.any_symbol(&is_undefined) {
            return;
        }
        referenced.clear();
        e.symbols(&mut referenced);
        for &r in referenced.iter().filter(|&&r| is_undefined(r)) {
            first.entry((owner, r)).or_insert(pos);
        }
    };
    for (index, sym) in model.symbols.iter().enumerate() {
        if sym.menus.is_empty() || sym.name.is_none() {
            continue;
        }
        let id = SymbolId(index as u32);
        for &m in &sym.menus {
            for (dep, pos) in &model.menu(m).depends {
                note(id, dep, *pos);
            }
        }
        for &p in &sym.props {
            let prop = model.prop(p);
            for e in [prop.expr.as_ref(), prop.cond.as_ref()]
                .into_iter()
                .flatten()
            {
                note(id, e, prop.pos);
            }
        }
    }
    for ((owner, missing), pos) in first {
        out.insert(
            (
                model.sym_name(owner).to_string(),
                model.sym_name(missing).to_string(),
            ),
            (model.file_name(pos.file).to_string(), pos.line),
        );
    }
    out
}

/// XL0003: references to symbols that are not defined at a commit but were at the base.
fn undefined_references(cx: &ArchContext) -> Vec<Finding> {
    // References depend only on a tree's semantics: reuse them while that holds; where
    // one is said comes from the facts of the commit reported.
    let trees = cx.snapshots;
    let mut sets: Vec<&UndefinedRefs> = Vec::new();
    for index in 0..trees.len() {
        if index > 0 && trees.fingerprint(index - 1) == trees.fingerprint(index) {
            sets.push(sets[index - 1]);
        } else {
            let set = trees.facts(index).undefined.as_ref();
            sets.push(set.expect("taken at every tree that resolves unlike the commit before"));
        }
    }
    // Every set holds only names the base defines (`undefined_at`).
    new_items(&sets)
        .into_iter()
        .filter_map(|((owner, missing), span)| {
            // A culprit resolves unlike the commit before it: its facts hold the reference.
            let facts = trees.facts(span.culprit);
            let (file, line) = facts.undefined.as_ref()?.get(&(owner.clone(), missing.clone()))?;
            let loc = cx.location(
                span.culprit,
                file,
                *line,
                format!("`{missing}` is not defined at this commit"),
                Some(&missing),
            );
            Some(cx.finding(
                &CHECK,
                &span,
                match span.repair {
                    Some(repair) => format!(
                        "CONFIG_{owner} refers to `{missing}`, which is not defined for {ARCHES_HIT} from {} until {}",
                        cx.series.commits[span.culprit].short, cx.series.commits[repair].short
                    ),
                    None => format!(
                        "CONFIG_{owner} refers to `{missing}`, which is no longer defined for {ARCHES_HIT}"
                    ),
                },
                vec![owner, missing],
                vec![loc],
            ))
        })
        .collect()
}
