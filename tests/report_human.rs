//! Snapshot tests of the human renderer on hand-built reports: where the carets land after
//! non-ASCII text and tabs, locations without a span, several files and commits, the footers,
//! and colour. The fixture-repository snapshot in `series_xen` covers the engine's findings.

use xenlint::lint::{Finding, Location, Report, SeriesCommit, Severity};
use xenlint::report::human;

const CULPRIT: &str = "135c67a00ce8d7c2e0b1f4a9c3d2e1f0a9b8c7d6";
const REPAIR: &str = "f3937a3691eb0c1d2e3f4a5b6c7d8e9f0a1b2c3d";

fn location(
    commit: &str,
    file: &str,
    line: u32,
    source_line: &str,
    word: &str,
    label: &str,
) -> Location {
    let mut location = Location {
        commit: commit.to_string(),
        file: file.to_string(),
        line,
        source_line: source_line.to_string(),
        span: None,
        label: label.to_string(),
    };
    location.underline(word);
    assert!(
        word.is_empty() || location.span.is_some(),
        "`{word}` must occur in `{source_line}`"
    );
    location
}

fn finding(severity: Severity, locations: Vec<Location>) -> Finding {
    Finding {
        code: "XL0008",
        name: "object-dropped",
        severity,
        message: "`arch/x86/xen/enlighten.o` is not built at this commit, though built at the base and the tip".to_string(),
        culprit: Some(CULPRIT.to_string()),
        culprit_summary: Some("x86/xen: build the Xen objects by role".to_string()),
        repair: Some(REPAIR.to_string()),
        repair_summary: Some("x86/xen: add XEN_BUILD_HYPERVISOR".to_string()),
        culprit_index: Some(1),
        repair_index: None,
        arches: vec!["x86".to_string()],
        baselines: vec!["defconfig".to_string(), "allmodconfig".to_string()],
        symbols: vec!["XEN_BUILD_HYPERVISOR".to_string()],
        locations,
        notes: Vec::new(),
        suggestion: None,
        consequences: Vec::new(),
    }
}

fn report(findings: Vec<Finding>) -> Report {
    let commit = |short: &str, summary: &str| SeriesCommit {
        commit: format!("{short}0000000000000000000000000000"),
        short: short.to_string(),
        summary: summary.to_string(),
        patch_id: None,
        mail: None,
    };
    Report {
        commits: vec![
            commit("045a09cd9d3b", "base"),
            commit("135c67a00ce8", "x86/xen: build the Xen objects by role"),
        ],
        arches: vec!["x86".to_string()],
        baselines: vec!["defconfig".to_string(), "allmodconfig".to_string()],
        findings,
        notes: Vec::new(),
        parsed: 2,
        resolved: 4,
        walks: 4,
        base_source: xenlint::lint::BaseSource::Range,
        command_line: Vec::new(),
        changes: Vec::new(),
    }
}

fn kbuild_location() -> Location {
    location(
        "135c67a00ce8",
        "arch/x86/Kbuild",
        1,
        "obj-$(CONFIG_XEN_BUILD_HYPERVISOR)\t+= xen/enlighten.o xen/mmu.o",
        "CONFIG_XEN_BUILD_HYPERVISOR",
        "at this commit `arch/x86/xen/enlighten.o` is gated by `CONFIG_XEN_BUILD_HYPERVISOR`",
    )
}

#[test]
fn plain_finding() {
    let report = report(vec![finding(Severity::Error, vec![kbuild_location()])]);
    insta::assert_snapshot!(human(&report, false));
}

#[test]
fn span_after_non_ascii_text() {
    // `ü` is two bytes: a renderer counting bytes would put the carets one column too far right.
    let location = location(
        "135c67a00ce8",
        "drivers/xen/Kconfig",
        42,
        "# Müller: depends on FOO",
        "FOO",
        "`FOO` is not defined at this commit",
    );
    let report = report(vec![finding(Severity::Warning, vec![location])]);
    insta::assert_snapshot!(human(&report, false));
}

#[test]
fn tab_indented_line() {
    // Kconfig indents properties with a tab; the carets must follow however the tab is drawn.
    let location = location(
        "a88948a781cc",
        "arch/x86/xen/Kconfig",
        17,
        "\tdepends on XEN_PVHVM",
        "XEN_PVHVM",
        "`XEN_PVHVM` is not defined at this commit",
    );
    let report = report(vec![finding(Severity::Error, vec![location])]);
    insta::assert_snapshot!(human(&report, false));
}

#[test]
fn location_without_span() {
    let location = location(
        "135c67a00ce8",
        "arch/x86/xen/Makefile",
        3,
        "obj-y\t\t+= enlighten.o mmu.o",
        "",
        "`arch/x86/xen/enlighten.o` is built at the parent through this line",
    );
    assert_eq!(location.span, None);
    let report = report(vec![finding(Severity::Error, vec![location])]);
    insta::assert_snapshot!(human(&report, false));
}

#[test]
fn several_locations_across_files_and_commits() {
    let parent = location(
        "045a09cd9d3b",
        "arch/x86/xen/Makefile",
        1,
        "obj-y\t\t+= enlighten.o mmu.o",
        "enlighten",
        "`arch/x86/xen/enlighten.o` is built at the parent through this line",
    );
    let kconfig = location(
        "135c67a00ce8",
        "arch/x86/xen/Kconfig",
        115,
        "config XEN_PVH",
        "XEN_PVH",
        "`XEN_PVH` is n here",
    );
    let mut finding = finding(Severity::Error, vec![kbuild_location(), parent, kconfig]);
    finding.notes = vec![
        "CONFIG_XEN_BUILD_HYPERVISOR is not defined by any Kconfig file ARCH=x86 reads at 135c67a00ce8"
            .to_string(),
    ];
    let report = report(vec![finding]);
    insta::assert_snapshot!(human(&report, false));
}

#[test]
fn finding_without_culprit_or_repair() {
    let mut finding = finding(Severity::Note, vec![kbuild_location()]);
    finding.culprit = None;
    finding.culprit_summary = None;
    finding.repair = None;
    finding.repair_summary = None;
    finding.arches = Vec::new();
    finding.baselines = Vec::new();
    let mut report = report(vec![finding]);
    report.notes = vec!["arm64 was skipped: no Kconfig at the base".to_string()];
    insta::assert_snapshot!(human(&report, false));
}

#[test]
fn colour_on() {
    let report = report(vec![finding(Severity::Error, vec![kbuild_location()])]);
    let plain = human(&report, false);
    let coloured = human(&report, true);
    assert!(!plain.contains('\x1b'), "no escape codes unless asked");
    assert!(coloured.contains("\x1b["), "escape codes when asked");
    // The escape character made visible, so the snapshot can be read and reviewed.
    insta::assert_snapshot!(coloured.replace('\x1b', "\\e"));
}

#[test]
fn control_characters_from_the_series_are_not_sent_to_the_terminal() {
    let mut location = kbuild_location();
    location.source_line = "obj-$(CONFIG_XEN_BUILD_HYPERVISOR) += \x1b[2Jx.o".to_string();
    location.underline("CONFIG_XEN_BUILD_HYPERVISOR");
    let mut finding = finding(Severity::Error, vec![location]);
    finding.culprit_summary = Some("evil \x1b]0;title\x07 subject".to_string());
    let rendered = human(&report(vec![finding]), false);
    assert!(!rendered.contains('\x1b'), "{rendered}");
}

#[test]
fn a_span_outside_the_line_falls_back_to_the_line_start() {
    let mut location = kbuild_location();
    location.span = Some(60..500);
    let rendered = human(
        &report(vec![finding(Severity::Error, vec![location])]),
        false,
    );
    assert!(rendered.contains(":1:1\n"), "{rendered}");
}
