//! The HTTP side of the hub's port: health, Prometheus metrics, and the supervisor's state.

use integration::{TestHub, expect_event};
use protocol::{Call, Intent, Post};

#[tokio::test]
async fn healthz_metrics_and_state() {
    let hub = TestHub::start().await;
    let (status, body) = integration::http_get(hub.addr, "/healthz", None).await;
    assert_eq!(status, 200, "{body}");
    let health: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        health,
        serde_json::json!({"status": "ok", "switchboard": "ok", "log": "ok"})
    );

    let mut g1 = hub.tablet("G1").await;
    let mut s1 = hub.tablet("S1").await;
    let open = g1
        .call(Call::new(Post::G1, Post::S1, Intent::IdCopy { room: 2 }))
        .await;
    assert!(
        open.is_err(),
        "id copies are asked by a client manager, not the butler"
    );
    let placed = g1
        .call(Call::new(
            Post::G1,
            Post::S1,
            Intent::Drinks {
                drink: "咖啡".into(),
                room: Some(2),
            },
        ))
        .await
        .unwrap();
    expect_event(&mut s1, "call_placed").await;

    let (status, metrics) =
        integration::http_get(hub.addr, "/metrics", Some(&hub.token("SUP"))).await;
    assert_eq!(status, 200);
    for line in [
        "hub_connections 2",
        "hub_calls_total{state=\"placed\"} 1",
        "hub_calls_open 1",
        "hub_refusals_total{reason=\"refused\"} 1",
        "hub_ack_latency_seconds_count 0",
    ] {
        assert!(metrics.contains(line), "missing {line:?} in\n{metrics}");
    }
    assert!(metrics.contains("hub_log_bytes "));
    // The call was acknowledged, so the log was synced at least once for it, and timed.
    let count = |series: &str| -> u64 {
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
            .unwrap_or_else(|| panic!("no {series} in\n{metrics}"))
            .trim()
            .parse()
            .unwrap()
    };
    assert!(
        count("hub_log_syncs_total") >= 1,
        "a call was acknowledged with no sync counted"
    );
    assert!(
        count("hub_log_sync_seconds_count") >= 1,
        "a call was acknowledged with no sync timed"
    );
    assert!(
        metrics.contains("hub_log_sync_seconds_bucket{le=\"0.0001\"}"),
        "the syncs' buckets start at 0.1 ms:\n{metrics}"
    );
    // Every series is there from the start, at zero; the process's figures and the build too.
    for line in [
        "hub_calls_total{state=\"escalated\"} 0",
        "hub_disconnects_total{reason=\"slow\"} 0",
        "hub_refusals_total{reason=\"log_full\"} 0",
        "hub_build_info{version=\"",
        "process_resident_memory_bytes ",
        "process_cpu_seconds_total ",
        "process_open_fds ",
        "process_max_fds ",
        "process_start_time_seconds ",
    ] {
        assert!(metrics.contains(line), "missing {line:?} in\n{metrics}");
    }
    assert!(metrics.trim_end().ends_with("# EOF"), "{metrics}");

    let (status, state) =
        integration::http_get(hub.addr, "/api/state", Some(&hub.token("SUP"))).await;
    assert_eq!(status, 200);
    let state: serde_json::Value = serde_json::from_str(&state).unwrap();
    assert_eq!(state["open_calls"][0]["call_id"], placed.call_id);
    assert_eq!(state["presence"]["S1"], 1);
    assert!(state["offset"].as_u64().unwrap() >= placed.offset);

    s1.answer(placed.call_id, protocol::Answer::Received)
        .await
        .unwrap();
    expect_event(&mut g1, "call_answered").await;
    let (_, metrics) = integration::http_get(hub.addr, "/metrics", Some(&hub.token("SUP"))).await;
    assert!(
        metrics.contains("hub_ack_latency_seconds_count 1"),
        "{metrics}"
    );
    assert!(metrics.contains("hub_calls_total{state=\"answered\"} 1"));

    let (status, _) = integration::http_get(hub.addr, "/api/state", None).await;
    assert_eq!(status, 401);
    let (status, _) = integration::http_get(hub.addr, "/api/state", Some("forged.token")).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn the_metrics_are_the_supervisors_unless_the_hub_opens_them() {
    let hub = TestHub::start().await;
    let (status, _) = integration::http_get(hub.addr, "/metrics", None).await;
    assert_eq!(status, 401, "no token");
    let (status, body) = integration::http_get(hub.addr, "/metrics", Some(&hub.token("S1"))).await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("--metrics-open"), "{body}");
    let (status, _) = integration::http_get(hub.addr, "/metrics", Some(&hub.token("SUP"))).await;
    assert_eq!(status, 200);
    let open = TestHub::start_with(|c| c.metrics_open = true).await;
    assert_eq!(
        integration::http_get(open.addr, "/metrics", None).await.0,
        200
    );
}
