//! What the operator's Prometheus scrapes from `/metrics`: connections, calls by state, the
//! answer latency, and the log's size. Updated by the switchboard and the connections; rendered
//! in the Prometheus text format on request. Every series is there from the start (at zero), so
//! a rate or an alert works before the first event; the process's own figures
//! ([`crate::process`]) and a `hub_build_info` series come with them.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StateLabel {
    pub state: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReasonLabel {
    pub reason: &'static str,
}

/// What happens to calls (`hub_calls_total{state}`).
pub const CALL_STATES: [&str; 5] = [
    "placed",
    "answered",
    "repeated",
    "escalated",
    "target_offline",
];

/// Why the hub closes connections (`hub_disconnects_total{reason}`).
pub const DISCONNECT_REASONS: [&str; 11] = [
    "bad_token",
    "token_expired",
    "token_revoked",
    "connect_timeout",
    "frame_too_big",
    "no_subprotocol",
    "overloaded",
    "protocol_violation",
    "silent",
    "slow",
    "write_timeout",
];

/// Why commands are refused (`hub_refusals_total{reason}`): the error codes, and a full log.
pub const REFUSAL_REASONS: [&str; 12] = [
    "bad_frame",
    "not_connected",
    "already_connected",
    "not_understood",
    "refused",
    "impersonation",
    "unknown_call",
    "not_yours",
    "bad_answer",
    "internal",
    "overloaded",
    "log_full",
];

/// The hub's metrics. Cheap to update from any task (atomics inside).
pub struct Metrics {
    registry: Registry,
    /// Tablets connected now.
    pub connections: Gauge,
    /// Calls by what happened to them: placed, answered, repeated, escalated, target_offline.
    pub calls: Family<StateLabel, Counter>,
    /// Calls open now (placed, not yet answered).
    pub calls_open: Gauge,
    /// Time from a call going out to its answer.
    pub ack_latency: Histogram,
    /// Connections closed by the hub, by reason (slow, bad_token, …).
    pub disconnects: Family<ReasonLabel, Counter>,
    /// Commands refused, by error code.
    pub refusals: Family<ReasonLabel, Counter>,
    /// Bytes of the log's segment being written (today's).
    pub log_bytes: Gauge,
    /// Events replayed from the log at start, after the checkpoint the state was loaded from.
    pub replayed_at_start: Gauge,
    /// The offset the next event gets.
    pub log_head: Gauge,
    /// Frames written to tablets.
    pub frames_out: Counter,
    /// Syncs of the log to disk (each a group commit of whatever was written before it).
    pub log_syncs: Counter,
    /// How long each sync took: the disk's part of the wait of every call acknowledged to its
    /// caller (and of what that caller is sent after it).
    pub log_sync_seconds: Histogram,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut root = Registry::default();
        root.register_collector(Box::new(crate::process::ProcessCollector));
        let registry = root.sub_registry_with_prefix("hub");
        registry.register(
            "build",
            "The hub's version and the commit it was built from",
            Info::new(vec![
                ("version", env!("CARGO_PKG_VERSION")),
                ("commit", env!("HUB_COMMIT")),
            ]),
        );
        let connections = Gauge::default();
        let calls = Family::<StateLabel, Counter>::default();
        let calls_open = Gauge::default();
        let ack_latency = Histogram::new(exponential_buckets(0.0005, 2.0, 18));
        let disconnects = Family::<ReasonLabel, Counter>::default();
        let refusals = Family::<ReasonLabel, Counter>::default();
        let log_bytes = Gauge::default();
        let replayed_at_start = Gauge::default();
        let log_head = Gauge::default();
        let frames_out = Counter::default();
        let log_syncs = Counter::default();
        // 0.1 ms to 6.5 s: a sync on a quiet disk, and one stuck behind a stalled disk.
        let log_sync_seconds = Histogram::new(exponential_buckets(0.000_1, 2.0, 17));
        registry.register("connections", "Tablets connected now", connections.clone());
        registry.register(
            "calls",
            "Calls by what happened to them (placed, answered, repeated, escalated, target_offline)",
            calls.clone(),
        );
        registry.register("calls_open", "Calls not yet answered", calls_open.clone());
        registry.register(
            "ack_latency_seconds",
            "Time from a call going out to its answer",
            ack_latency.clone(),
        );
        registry.register(
            "disconnects",
            "Connections closed by the hub, by reason",
            disconnects.clone(),
        );
        registry.register(
            "refusals",
            "Commands refused, by error code",
            refusals.clone(),
        );
        registry.register(
            "log_bytes",
            "Size of the event log's segment being written (today's)",
            log_bytes.clone(),
        );
        registry.register(
            "replayed_at_start",
            "Events replayed from the log at start, after the checkpoint the state was loaded from",
            replayed_at_start.clone(),
        );
        registry.register("log_head", "Offset the next event gets", log_head.clone());
        registry.register(
            "frames_out",
            "Frames written to tablets",
            frames_out.clone(),
        );
        registry.register(
            "log_syncs",
            "Syncs of the event log to disk, each making durable whatever was written before it",
            log_syncs.clone(),
        );
        registry.register(
            "log_sync_seconds",
            "Time each sync of the event log to disk took; a call is acknowledged to its caller once synced",
            log_sync_seconds.clone(),
        );
        // Every label the hub uses, at zero, so the series exist before the first event.
        for state in CALL_STATES {
            let _ = calls.get_or_create(&StateLabel { state });
        }
        for reason in DISCONNECT_REASONS {
            let _ = disconnects.get_or_create(&ReasonLabel { reason });
        }
        for reason in REFUSAL_REASONS {
            let _ = refusals.get_or_create(&ReasonLabel { reason });
        }
        Metrics {
            registry: root,
            connections,
            calls,
            calls_open,
            ack_latency,
            disconnects,
            refusals,
            log_bytes,
            replayed_at_start,
            log_head,
            frames_out,
            log_syncs,
            log_sync_seconds,
        }
    }
}

impl Metrics {
    pub fn call(&self, state: &'static str) {
        self.calls.get_or_create(&StateLabel { state }).inc();
    }

    pub fn disconnect(&self, reason: &'static str) {
        self.disconnects
            .get_or_create(&ReasonLabel { reason })
            .inc();
    }

    pub fn refusal(&self, reason: &'static str) {
        self.refusals.get_or_create(&ReasonLabel { reason }).inc();
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        encode(&mut out, &self.registry).expect("writing to a String cannot fail");
        out
    }
}
