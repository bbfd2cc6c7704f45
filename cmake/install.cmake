# `make install` (cmake --install build) and the Debian package (make deb,
# CPack's DEB generator) lay out the same files:
#   <prefix>/bin/phishstream                  the binary
#   <prefix>/share/phishstream/web/           the UI (serve finds it beside the binary: serve/web_root.h)
#   <prefix>/share/man/man1, man5             phishstream(1), phishstream.toml(5)
#   /etc/phishstream/phishstream.toml         the example configuration (a conffile)
#   /var/lib/phishstream/                     state (owned by the phishstream user: deploy/debian/postinst)
#   /lib/systemd/system/phishstream{,@}.service
# The prefix is /usr: the package's, and `make install`'s unless PREFIX is
# given; the units' ExecStart names <prefix>/bin/phishstream.
include(GNUInstallDirs)
set(PS_SYSTEMD_UNIT_DIR "/lib/systemd/system" CACHE PATH "Where the systemd units are installed")
set(PS_SYSCONF_DIR "/etc/phishstream" CACHE PATH "Where the configuration file is installed")
set(PS_STATE_DIR "/var/lib/phishstream" CACHE PATH "The state folder the package makes")

install(TARGETS phishstream RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/web/ DESTINATION ${CMAKE_INSTALL_DATADIR}/phishstream/web)
# Site rules to copy into [rules] dir (docs/operations.md "Site rules").
install(FILES ${PROJECT_SOURCE_DIR}/deploy/rules/example.toml DESTINATION ${CMAKE_INSTALL_DATADIR}/phishstream/examples RENAME rules.toml)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/etc/phishstream.toml DESTINATION ${PS_SYSCONF_DIR})
install(DIRECTORY DESTINATION ${PS_STATE_DIR})

# Man pages, compressed as Debian ships them (gzip -n: no time stamp, so the
# package is reproducible).
set(PS_MAN_OUT ${PROJECT_BINARY_DIR}/man)
foreach(page phishstream.1 phishstream.toml.5)
  string(REGEX MATCH "[0-9]$" section ${page})
  add_custom_command(OUTPUT ${PS_MAN_OUT}/${page}.gz
                     COMMAND ${CMAKE_COMMAND} -E make_directory ${PS_MAN_OUT}
                     COMMAND sh -c "gzip -9n -c \"$1\" > \"$2\"" gzip ${PROJECT_SOURCE_DIR}/docs/man/${page}
                             ${PS_MAN_OUT}/${page}.gz
                     DEPENDS ${PROJECT_SOURCE_DIR}/docs/man/${page} VERBATIM)
  list(APPEND PS_MAN_PAGES ${PS_MAN_OUT}/${page}.gz)
  install(FILES ${PS_MAN_OUT}/${page}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
endforeach()
add_custom_target(man ALL DEPENDS ${PS_MAN_PAGES})

# The units name the binary under the prefix chosen at install time
# (cmake --install --prefix, CPack's /usr), so they are written then.
install(CODE "
  foreach(unit phishstream.service phishstream@.service)
    file(READ \"${PROJECT_SOURCE_DIR}/deploy/systemd/\${unit}\" text)
    string(REPLACE \"/usr/bin/phishstream\" \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/phishstream\" text \"\${text}\")
    file(MAKE_DIRECTORY \"${PROJECT_BINARY_DIR}/units\")
    file(WRITE \"${PROJECT_BINARY_DIR}/units/\${unit}\" \"\${text}\")
    file(INSTALL DESTINATION \"${PS_SYSTEMD_UNIT_DIR}\" TYPE FILE
         PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
         FILES \"${PROJECT_BINARY_DIR}/units/\${unit}\")
  endforeach()
")

# The Debian package: `make deb`, or `cpack -G DEB` in the build folder.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME phishstream)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "phishstream maintainers <phishstream@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "real-time phishing filter for email")
set(CPACK_PACKAGE_DESCRIPTION "phishstream scores mail for phishing as an SMTP content filter, a milter,
a spamd-protocol server or a pipe filter, with an analyst web UI, learning
from reports and Prometheus metrics.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION mail)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Depends from the libraries the binary links (dpkg-shlibdeps), plus what
# the maintainer scripts call.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "publicsuffix")  # else libpsl's built-in list
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/deploy/debian/conffiles
    ${PROJECT_SOURCE_DIR}/deploy/debian/postinst
    ${PROJECT_SOURCE_DIR}/deploy/debian/postrm)
# Only the files above: not the static libraries, tests or benchmarks.
set(CPACK_INSTALL_CMAKE_PROJECTS "${PROJECT_BINARY_DIR};phishstream;ALL;/")
set(CPACK_STRIP_FILES ON)
include(CPack)
