package io.github.resilientjcache.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UriTextTest {

  @Test
  void userInfoQueryAndFragment_areDropped_whereverAPasswordCouldHide() {
    assertThat(UriText.withoutCredentials("redis://user:secret@cache.example:6379"))
        .isEqualTo("redis://cache.example:6379");
    assertThat(UriText.withoutCredentials("rediss://u:p@ss/w@rd@cache.example:6380/0?password=x#y"))
        .isEqualTo("rediss://cache.example:6380/0");
    assertThat(UriText.withoutCredentials("jar:https://u:secret@repo.example/app.jar!/config/cache.yaml?t=1"))
        .isEqualTo("jar:https://repo.example/app.jar!/config/cache.yaml");
  }

  @Test
  void uriWithoutCredentials_isKeptAsItIs() {
    assertThat(UriText.withoutCredentials("redis://127.0.0.1:6379")).isEqualTo("redis://127.0.0.1:6379");
    assertThat(UriText.withoutCredentials("classpath:resilient-jcache.yaml")).isEqualTo("classpath:resilient-jcache.yaml");
    assertThat(UriText.withoutCredentials("file:///etc/app/cache.yaml")).isEqualTo("file:///etc/app/cache.yaml");
    assertThat(UriText.withoutCredentials("jar:file:/opt/app.jar!/cache.yaml")).isEqualTo("jar:file:/opt/app.jar!/cache.yaml");
  }
}
