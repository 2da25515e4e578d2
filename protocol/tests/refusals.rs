//! Sentences that break the radio discipline are refused with the rule they broke.

use protocol::{Call, Refusal, Utterance};

fn rule(said: &str) -> &'static str {
    match Call::parse(said) {
        Err(r) => {
            assert!(!r.to_string().is_empty());
            r.rule()
        }
        Ok(u) => panic!("{said}\n  was accepted as {u:?}"),
    }
}

#[test]
fn no_caller() {
    assert_eq!(
        rule("呼叫水吧，请送咖啡至VIP1室，收到请回答。"),
        "no_caller"
    );
    assert_eq!(rule("请送咖啡至VIP1室"), "no_caller");
}

#[test]
fn no_target() {
    // Calls the catalogue gives no single target need 「呼叫…」 (or an open channel).
    assert_eq!(
        rule("我是L2岗，【其他】东侧车位已满，收到请回答。"),
        "no_target"
    );
    assert_eq!(rule("我是管家，VIP3已经做好接待准备。"), "no_target");
    // A call for one post by the catalogue goes to that post without it.
    assert!(Call::parse("我是大客户管家，请送咖啡至VIP1室，收到请回答。").is_ok());
}

#[test]
fn unknown_post() {
    assert_eq!(rule("我是保安，呼叫水吧，收到请回答。"), "unknown_post");
    assert_eq!(rule("我是L1岗，呼叫L9岗，收到请回答。"), "unknown_post");
    let said = Call::parse("我是L1岗，呼叫厨房大师，收到请回答").unwrap_err();
    assert!(said.to_string().contains("厨房大师"), "{said}");
}

#[test]
fn matter_not_understood_suggests_marking_it_free() {
    let r = Call::parse("我是L2岗，呼叫L1岗，车位已经满了，收到请回答。").unwrap_err();
    assert_eq!(r.rule(), "matter_not_understood");
    assert!(r.to_string().contains("【其他】"));
    // …and marked, it goes through as free text.
    assert!(Call::parse("我是L2岗，呼叫L1岗，【其他】车位已经满了，收到请回答。").is_ok());
}

#[test]
fn missing_closing() {
    assert_eq!(
        rule("我是大客户管家，呼叫水吧，请送咖啡至VIP1室"),
        "missing_closing"
    );
}

#[test]
fn bad_fields_name_the_field() {
    let r = Call::parse("我是L1岗，呼叫接待中心，王先生一行几人已前往展示中心，收到请回答。")
        .unwrap_err();
    assert_eq!(r.rule(), "bad_field");
    assert_eq!(r.field(), Some("party"), "{r}");
    assert!(r.to_string().contains("party"), "{r}");
    assert_eq!(
        rule("我是大客户管家，呼叫水吧，请送咖啡至VIP0室，收到请回答。"),
        "bad_field"
    );
    assert_eq!(
        rule("我是L1岗，呼叫接待中心，王老板一行3人已前往展示中心，收到请回答。"),
        "bad_field"
    );
}

#[test]
fn the_wrong_post_for_the_call() {
    assert_eq!(
        rule("我是大客户经理张伟，呼叫L1岗，请送咖啡至VIP1室，收到请回答。"),
        "wrong_target"
    );
    assert_eq!(
        rule("我是水吧，呼叫操作间，目前有一组客户要来参观，现在是否能接待，收到请回答。"),
        "wrong_target"
    );
    assert_eq!(
        rule("我是L2岗，呼叫销售中心，目前有一组客户要来参观，现在是否能接待，收到请回答。"),
        "wrong_caller"
    );
}

#[test]
fn the_supervisor_may_stand_in_for_any_post() {
    assert!(
        Call::parse(
            "我是巡场主管，呼叫销售中心，目前有一组客户要来参观，现在是否能接待，收到请回答。"
        )
        .is_ok()
    );
}

#[test]
fn empty_and_too_long() {
    assert_eq!(rule(""), "empty");
    assert_eq!(rule(" ，。 "), "empty");
    assert!(matches!(
        Call::parse(&"我".repeat(5000)),
        Err(Refusal::TooLong { .. })
    ));
}

#[test]
fn what_people_really_type_is_tolerated() {
    for said in [
        "我是Ｌ１岗 ， 呼叫 接待中心 ，王先生一行 3 人已前往展示中心 ，收到请回话",
        "我是L1岗呼叫接待中心,王先生一行3人已前往展示中心,收到请回答",
        "我是l1岗，呼叫接待中心，王先生一行３人已前往展示中心。收到请回答！",
    ] {
        assert!(Call::parse(said).is_ok(), "{said}: {:?}", Call::parse(said));
    }
    assert!(
        Call::parse(
            "我是大客户经理欧阳娜娜，呼叫管家，欧阳女士即将前往VIP室请做好接待准备，收到请回话"
        )
        .is_ok()
    );
}

#[test]
fn a_name_holding_the_radios_own_words_is_refused_not_read_as_a_manager() {
    // Found by fuzzing: this was read as a call to a manager named 「我是欧阳娜呼叫·」, and the
    // call's own sentence could not be read back.
    assert!(Call::parse("呼叫\"我是\"欧阳娜呼叫·经理，悋先生需要的出租车已经叫到。").is_err());
    let r = Call::parse(
        "我是接待中心，呼叫大客户经理我是张伟，预约客户王先生一行3人已到，请您接待，收到请回答。",
    )
    .unwrap_err();
    assert_eq!(r.rule(), "bad_name");
    assert!(r.to_string().contains("我是"), "{r}");
    // The separator · stands between two parts of a name, not at its end.
    assert_eq!(
        rule(
            "我是接待中心，呼叫大客户经理热合曼·，预约客户王先生一行3人已到，请您接待，收到请回答。"
        ),
        "bad_name"
    );
    // A name with the separator in its place is read, and its sentence reads back the same.
    let said = "我是接待中心，呼叫大客户经理阿卜杜·热合曼，预约客户王先生一行3人已到，请您接待，收到请回答。";
    let Ok(Utterance::Call(call)) = Call::parse(said) else {
        panic!("{said} not read as a call");
    };
    assert_eq!(call.render(), said);
    assert_eq!(Call::parse(&call.render()).unwrap(), Utterance::Call(call));
}
