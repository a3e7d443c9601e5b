package io.github.resilientjcache.drill;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilientjcache.drill.Verdict.Ack;
import org.junit.jupiter.api.Test;

class VerdictTest {

  private static final long S = 1_000_000_000L; // one second in nanos
  private static final long WINDOW_FROM = 9 * S;
  private static final long WINDOW_TO = 10 * S;

  private static Verdict ownRead(long read, Ack acked, long at) {
    return Verdict.of(read, acked, at, 0, WINDOW_FROM, WINDOW_TO);
  }

  private static Verdict peerRead(long read, Ack acked, long at) {
    return Verdict.of(read, acked, at, S, WINDOW_FROM, WINDOW_TO);
  }

  @Test
  void ownWrites_aReadOlderThanTheLastAckIsStale_unlessThatAckWasInTheWindow() {
    Ack v3 = new Ack(2, 5 * S, null).then(3, 6 * S);
    assertThat(ownRead(3, v3, 7 * S)).isEqualTo(Verdict.FRESH);
    assertThat(ownRead(4, v3, 7 * S)).as("a write not yet acknowledged may show").isEqualTo(Verdict.FRESH);
    assertThat(ownRead(2, v3, 7 * S)).isEqualTo(Verdict.STALE);

    Ack inWindow = new Ack(2, 5 * S, null).then(3, 9 * S + S / 2);
    assertThat(ownRead(2, inWindow, 12 * S)).as("acknowledged just before the fault: Redis may have lost it")
        .isEqualTo(Verdict.LOST);
    assertThat(ownRead(1, inWindow, 12 * S)).as("older than an acknowledgement outside the window too")
        .isEqualTo(Verdict.STALE);
  }

  @Test
  void peerWrites_getTheGraceToCross_andAFailedWriteInBetweenIsNotRequired() {
    // The peer's 4 failed during the outage (never acknowledged); 5 was acknowledged at 20 s.
    Ack acked = new Ack(3, 5 * S, null).then(5, 20 * S);
    assertThat(peerRead(3, acked, 20 * S + S / 2)).as("5 may still be crossing; 3 was the last before it")
        .isEqualTo(Verdict.FRESH);
    assertThat(peerRead(3, acked, 21 * S + 1)).as("past the grace, 5 must be seen").isEqualTo(Verdict.STALE);
    assertThat(peerRead(2, acked, 20 * S + S / 2)).as("older than 3, which was acknowledged long before")
        .isEqualTo(Verdict.STALE);
  }

  @Test
  void noAcknowledgementInTime_nothingIsRequired() {
    Ack first = new Ack(1, 10 * S, null);
    assertThat(peerRead(0, first, 10 * S + S / 2)).isEqualTo(Verdict.FRESH);
  }
}
