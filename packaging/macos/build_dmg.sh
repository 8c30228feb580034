#!/usr/bin/env bash
# The macOS disk image of IOTPay Desk, from the .app that pyinstaller.spec makes on macOS
# (dist/IOTPay Desk.app): signed with a Developer ID (hardened runtime), put in a .dmg
# with a link to /Applications, the image signed, notarized by Apple and stapled.
#
#   packaging/macos/build_dmg.sh VERSION
#
# Environment: CODESIGN_IDENTITY ("Developer ID Application: …"; without it the .app is
# signed ad hoc and nothing is notarized: a build to try, not to ship), and for
# notarization NOTARY_PROFILE (a keychain profile made with `xcrun notarytool
# store-credentials`). Each user's profiles, ledger, settings and logs live in
# ~/Library/Application Support/iotpay-desk, never in the .app: replacing the .app with a
# newer one keeps them, and so does moving it to the Trash.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

version=${1:?usage: build_dmg.sh VERSION}
app="dist/IOTPay Desk.app"
dmg="dist/iotpay-desk-${version}.dmg"
entitlements=packaging/macos/entitlements.plist
[ -d "$app" ] || { echo "$app is missing: run pyinstaller pyinstaller.spec first" >&2; exit 1; }

identity=${CODESIGN_IDENTITY:--}
# Inside out: every library and helper (QtWebEngineProcess.app too), then the .app.
find "$app/Contents" -type f \( -name '*.dylib' -o -name '*.so' -o -perm -u+x \) -print0 |
    xargs -0 codesign --force --timestamp --options runtime --entitlements "$entitlements" \
        --sign "$identity"
codesign --force --timestamp --options runtime --entitlements "$entitlements" \
    --sign "$identity" "$app"
codesign --verify --deep --strict --verbose=2 "$app"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp -R "$app" "$stage/"
ln -s /Applications "$stage/Applications"
rm -f "$dmg"
hdiutil create -volname "IOTPay Desk ${version}" -srcfolder "$stage" -fs HFS+ \
    -format UDZO -imagekey zlib-level=9 "$dmg"

if [ "$identity" != "-" ]; then
    codesign --force --timestamp --sign "$identity" "$dmg"
    if [ -n "${NOTARY_PROFILE:-}" ]; then
        xcrun notarytool submit "$dmg" --keychain-profile "$NOTARY_PROFILE" --wait
        xcrun stapler staple "$dmg"
        spctl --assess --type open --context context:primary-signature --verbose "$dmg"
    fi
fi
echo "built $dmg ($(du -h "$dmg" | cut -f1))"
