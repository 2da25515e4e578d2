//! `radio parse` and `radio render` as a person uses them: real processes, stdout, exit codes.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn radio(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_radio"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("radio runs");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

#[test]
fn parse_prints_the_typed_call_as_one_json_object() {
    let out = radio(
        &[
            "parse",
            "我是L1岗,呼叫接待中心,王先生一行三人已经抵达,请做好接待准备,收到请回答。",
        ],
        None,
    );
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["caller"], "L1");
    assert_eq!(v["target"], "RC");
    assert_eq!(v["intent"]["kind"], "appointment_arrived");
    assert_eq!(v["intent"]["party"], 3);
    assert_eq!(v["intent"]["visitor"]["surname"], "王");
}

#[test]
fn a_refused_sentence_exits_non_zero_with_the_rule_on_stderr() {
    let out = radio(&["parse", "呼叫水吧，请送咖啡至VIP1室，收到请回答。"], None);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("no caller"), "{stderr}");
}

#[test]
fn render_reads_json_from_an_argument_or_stdin() {
    let json = r#"{"caller":"G1","target":"S1","intent":{"kind":"clear_room","room":3}}"#;
    for out in [
        radio(&["render", json], None),
        radio(&["render", "-"], Some(json)),
    ] {
        assert!(out.status.success(), "{out:?}");
        assert_eq!(
            String::from_utf8(out.stdout).unwrap().trim(),
            "我是大客户管家，呼叫水吧，VIP3客人已离去请前去打扫，收到请回话。"
        );
    }
}

#[test]
fn parse_and_render_compose() {
    let said = "我是大客户经理张伟，呼叫接待中心，VIP2室王先生即将离场请做好准备，收到请回话。";
    let parsed = radio(&["parse", said], None);
    let json = String::from_utf8(parsed.stdout).unwrap();
    let rendered = radio(&["render", "-"], Some(&json));
    assert_eq!(String::from_utf8(rendered.stdout).unwrap().trim(), said);
}

#[test]
fn render_refuses_bad_json_and_calls_that_break_the_catalogue() {
    let out = radio(&["render", "{not json"], None);
    assert!(!out.status.success());
    let out = radio(
        &[
            "render",
            r#"{"caller":"S1","target":"RC","intent":{"kind":"walk_in_query"}}"#,
        ],
        None,
    );
    assert!(!out.status.success());
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("wrong caller")
    );
}
