; The Windows installer of IOTPay Desk (NSIS 3, Modern UI 2), built from the PyInstaller
; folder that pyinstaller.spec makes on Windows (dist\iotpay-desk\):
;
;   makensis /DVERSION=0.1.0 /DPAYLOAD=dist\iotpay-desk /DOUTFILE=dist\iotpay-desk-0.1.0-setup.exe
;            [/DICON=build\iotpay-desk.ico] packaging\windows\iotpay-desk.nsi
;
; Installs for every user of the computer under Program Files, with a Start-menu entry, an
; optional desktop shortcut, an entry in Apps & features, and an uninstaller. Installing a
; newer version over an older one replaces the program's files only. Each user's profiles,
; ledger, settings and logs live in that user's own folders (%LOCALAPPDATA%\iotpay-desk),
; never here: neither an upgrade nor the uninstaller touches them.

Unicode true
ManifestDPIAware true
SetCompressor /SOLID lzma

!ifndef VERSION
  !error "VERSION is needed: /DVERSION=0.1.0"
!endif
!ifndef PAYLOAD
  !error "PAYLOAD is needed: /DPAYLOAD=dist\iotpay-desk (the PyInstaller folder)"
!endif
!ifndef OUTFILE
  !define OUTFILE "iotpay-desk-${VERSION}-setup.exe"
!endif

!define NAME "IOTPay Desk"
!define EXE "iotpay-desk.exe"
!define PUBLISHER "IOTPay Desk"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\iotpay-desk"

Name "${NAME}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\${NAME}"
InstallDirRegKey HKLM "${UNINSTALL_KEY}" "InstallLocation"
RequestExecutionLevel admin
BrandingText "${NAME} ${VERSION}"

!include "MUI2.nsh"
!include "x64.nsh"

!ifdef ICON
  !define MUI_ICON "${ICON}"
  !define MUI_UNICON "${ICON}"
!endif
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\${EXE}"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_LANGUAGE "French"

LangString DATA_KEPT ${LANG_ENGLISH} "Your profiles, ledger, settings and logs stay in $LOCALAPPDATA\iotpay-desk, and the merchant keys in Windows Credential Manager. Delete them there if they are no longer wanted."
LangString DATA_KEPT ${LANG_FRENCH} "Vos profils, votre registre, vos réglages et vos journaux restent dans $LOCALAPPDATA\iotpay-desk, et les clés marchandes dans le Gestionnaire d’identification de Windows. Supprimez-les là s’ils ne servent plus."
LangString NEEDS_64 ${LANG_ENGLISH} "${NAME} needs 64-bit Windows."
LangString NEEDS_64 ${LANG_FRENCH} "${NAME} demande Windows 64 bits."
LangString SEC_PROGRAM ${LANG_ENGLISH} "${NAME} (required)"
LangString SEC_PROGRAM ${LANG_FRENCH} "${NAME} (obligatoire)"
LangString SEC_DESKTOP ${LANG_ENGLISH} "Desktop shortcut"
LangString SEC_DESKTOP ${LANG_FRENCH} "Raccourci sur le bureau"

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "$(NEEDS_64)"
    Abort
  ${EndIf}
  SetRegView 64
  !insertmacro MUI_LANGDLL_DISPLAY
FunctionEnd

Function un.onInit
  SetRegView 64
FunctionEnd

Section "$(SEC_PROGRAM)" SecProgram
  SectionIn RO
  SetShellVarContext all
  ; An upgrade: the older program's files go first (none of the users' data is here).
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${EXE}"
  SetOutPath "$INSTDIR"
  File /r "${PAYLOAD}\*.*"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateDirectory "$SMPROGRAMS\${NAME}"
  CreateShortcut "$SMPROGRAMS\${NAME}\${NAME}.lnk" "$INSTDIR\${EXE}"
  CreateShortcut "$SMPROGRAMS\${NAME}\Uninstall ${NAME}.lnk" "$INSTDIR\uninstall.exe"

  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayName" "${NAME}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\${EXE}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoRepair" 1
SectionEnd

Section /o "$(SEC_DESKTOP)" SecDesktop
  SetShellVarContext all
  CreateShortcut "$DESKTOP\${NAME}.lnk" "$INSTDIR\${EXE}"
SectionEnd

Section "Uninstall"
  SetShellVarContext all
  Delete "$DESKTOP\${NAME}.lnk"
  RMDir /r "$SMPROGRAMS\${NAME}"
  ; Only what the installer put here: the users' data is in their own folders.
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${EXE}"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKLM "${UNINSTALL_KEY}"
  DetailPrint "$(DATA_KEPT)"
  IfSilent +2
    MessageBox MB_ICONINFORMATION "$(DATA_KEPT)"
SectionEnd
