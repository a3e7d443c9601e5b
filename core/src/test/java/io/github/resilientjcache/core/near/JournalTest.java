package io.github.resilientjcache.core.near;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class JournalTest {

  @Test
  void keepsKeysUntilSettled_andPastItsCapacity_onlyThatTheWholeCacheIsOwed() {
    Journal<String> j = new Journal<>(2);
    assertThat(j.isEmpty()).isTrue();
    j.add("a");
    j.add("b");
    j.add("a");
    assertThat(j.owed().keySet()).containsExactly("b", "a");
    j.settled("a", j.stampOf("a"));
    assertThat(j.contains("a")).isFalse();
    j.add("c");
    j.add("d");
    assertThat(j.overflowed()).isTrue();
    assertThat(j.isEmpty()).isFalse();
    assertThat(j.size()).isZero();
  }

  @Test
  void aRemovalSettlesOnlyTheFailureItWasSentFor() {
    Journal<String> j = new Journal<>(10);
    j.add("k");
    long sent = j.stampOf("k");
    j.add("k"); // failed again while the removal was on its way
    j.settled("k", sent);
    assertThat(j.contains("k")).as("still owed").isTrue();
  }

  @Test
  void aClear_settlesWhatWasOwedWhenItWasSent_andKeepsWhatFailedSince() {
    Journal<String> j = new Journal<>(1);
    j.addEverything();
    long mark = j.mark();
    j.clearedAll(mark);
    assertThat(j.isEmpty()).isTrue();

    j.addEverything();
    mark = j.mark();
    j.add("late"); // while overflowed: the whole cache is owed again
    j.clearedAll(mark);
    assertThat(j.overflowed()).isTrue();
    j.clearedAll(j.mark());
    assertThat(j.isEmpty()).isTrue();
  }

  @Test
  void aJournalOfNothing_isRefused() {
    assertThatThrownBy(() -> new Journal<>(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("but was given 0");
  }
}
