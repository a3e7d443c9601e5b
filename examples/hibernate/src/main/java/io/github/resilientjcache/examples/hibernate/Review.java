package io.github.resilientjcache.examples.hibernate;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;

/** An entity cached nonstrict-read-write: no soft locks; the cache entry is evicted after each commit. */
@Entity
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.NONSTRICT_READ_WRITE)
public class Review {

  @Id
  @GeneratedValue
  private Long id;

  private long bookId;

  private int stars;

  protected Review() {}

  public Review(long bookId, int stars) {
    this.bookId = bookId;
    this.stars = stars;
  }

  public Long getId() {
    return id;
  }

  public long getBookId() {
    return bookId;
  }

  public int getStars() {
    return stars;
  }

  public void setStars(int stars) {
    this.stars = stars;
  }
}
