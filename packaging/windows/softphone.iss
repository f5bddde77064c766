; Inno Setup script for the Windows installer of softphone (Inno Setup 6).
;
;   iscc /DAppVersion=0.1.0 packaging\windows\softphone.iss
;
; Takes the PyInstaller one-folder bundle (dist\bundle\softphone: softphone.exe for the
; command line, softphonew.exe for the window) and writes dist\softphone-<version>-setup.exe.
; Installs per user by default (no administrator needed; /ALLUSERS for everyone), adds a
; Start menu entry and registers softphone as a handler of sip:, sips: and tel: links.
; Uninstalling never touches the user's data (%LOCALAPPDATA%\softphone): it is not listed
; below, and no [UninstallDelete] entry exists.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#ifndef BundleDir
  #define BundleDir "..\..\dist\bundle\softphone"
#endif

[Setup]
AppId={{0B6E7C33-6D1F-4B8E-9C2A-3F5D7E1A9B42}
AppName=Softphone
AppVersion={#AppVersion}
AppVerName=Softphone {#AppVersion}
AppPublisher=softphone developers
DefaultDirName={autopf}\Softphone
DefaultGroupName=Softphone
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog commandline
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=softphone-{#AppVersion}-setup
SetupIconFile=..\..\resources\softphone.ico
UninstallDisplayIcon={app}\softphonew.exe
UninstallDisplayName=Softphone
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
ChangesAssociations=yes
CloseApplications=yes

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\Softphone"; Filename: "{app}\softphonew.exe"; Comment: "SIP softphone"
Name: "{autodesktop}\Softphone"; Filename: "{app}\softphonew.exe"; Tasks: desktopicon

[Registry]
; sip:, sips: and tel: links start "softphonew.exe URL": the running window dials it.
Root: HKA; Subkey: "Software\Classes\sip"; ValueType: string; ValueName: ""; ValueData: "URL:SIP"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\sip"; ValueType: string; ValueName: "URL Protocol"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\sip\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\softphonew.exe,0"
Root: HKA; Subkey: "Software\Classes\sip\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\softphonew.exe"" ""%1"""
Root: HKA; Subkey: "Software\Classes\sips"; ValueType: string; ValueName: ""; ValueData: "URL:SIPS"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\sips"; ValueType: string; ValueName: "URL Protocol"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\sips\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\softphonew.exe,0"
Root: HKA; Subkey: "Software\Classes\sips\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\softphonew.exe"" ""%1"""
Root: HKA; Subkey: "Software\Classes\tel"; ValueType: string; ValueName: ""; ValueData: "URL:Telephone"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\tel"; ValueType: string; ValueName: "URL Protocol"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\tel\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\softphonew.exe,0"
Root: HKA; Subkey: "Software\Classes\tel\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\softphonew.exe"" ""%1"""
; Settings > Default apps: softphone offers itself for the three link kinds.
Root: HKA; Subkey: "Software\Classes\Softphone.Link"; ValueType: string; ValueName: ""; ValueData: "Softphone link"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\Softphone.Link\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\softphonew.exe,0"
Root: HKA; Subkey: "Software\Classes\Softphone.Link\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\softphonew.exe"" ""%1"""
Root: HKA; Subkey: "Software\Softphone\Capabilities"; ValueType: string; ValueName: "ApplicationName"; ValueData: "Softphone"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Softphone\Capabilities"; ValueType: string; ValueName: "ApplicationDescription"; ValueData: "SIP softphone"
Root: HKA; Subkey: "Software\Softphone\Capabilities\URLAssociations"; ValueType: string; ValueName: "sip"; ValueData: "Softphone.Link"
Root: HKA; Subkey: "Software\Softphone\Capabilities\URLAssociations"; ValueType: string; ValueName: "sips"; ValueData: "Softphone.Link"
Root: HKA; Subkey: "Software\Softphone\Capabilities\URLAssociations"; ValueType: string; ValueName: "tel"; ValueData: "Softphone.Link"
Root: HKA; Subkey: "Software\RegisteredApplications"; ValueType: string; ValueName: "Softphone"; ValueData: "Software\Softphone\Capabilities"; Flags: uninsdeletevalue

[Run]
Filename: "{app}\softphonew.exe"; Description: "{cm:LaunchProgram,Softphone}"; Flags: nowait postinstall skipifsilent
