-- Makes wrk print, after its own summary, one machine-readable line with the latency
-- percentiles (microseconds) and its error counters.
done = function(summary, latency, requests)
   io.write(string.format(
      "WRK_JSON {\"requests\":%d,\"p50\":%d,\"p95\":%d,\"p99\":%d,\"connect\":%d,\"read\":%d,\"write\":%d,\"status\":%d,\"timeout\":%d,\"durationUs\":%d}\n",
      summary.requests, latency:percentile(50), latency:percentile(95), latency:percentile(99),
      summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status,
      summary.errors.timeout, summary.duration))
end
