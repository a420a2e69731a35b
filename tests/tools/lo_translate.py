"""Opens a DOCX in LibreOffice (headless, through UNO), replaces the text inside
each paragraph as a translator would (search and replace within the text, so
content controls stay), and saves it again as DOCX.

usage: lo_translate.py IN.docx OUT.docx PROFILE_DIR
Every occurrence of " the " becomes " le ", inside the content controls.
"""
import os, subprocess, sys, time
import uno
from com.sun.star.beans import PropertyValue

src, dst, profile = (os.path.abspath(a) for a in sys.argv[1:4])
pipe = "leafpress%d" % os.getpid()
office = subprocess.Popen([
    "soffice", "--headless", "--invisible", "--norestore", "--nologo", "--nodefault",
    "-env:UserInstallation=" + uno.systemPathToFileUrl(profile),
    "--accept=pipe,name=%s;urp;" % pipe,
], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    ctx = None
    for _ in range(240):
        try:
            ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
            break
        except Exception:
            time.sleep(0.25)
    if ctx is None:
        sys.exit("LibreOffice did not start")
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    def prop(name, value):
        p = PropertyValue(); p.Name = name; p.Value = value; return p
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(src), "_blank", 0, (prop("Hidden", True),))
    rd = doc.createReplaceDescriptor()
    rd.SearchString = " the "
    rd.ReplaceString = " le "
    doc.replaceAll(rd)
    doc.storeToURL(uno.systemPathToFileUrl(dst), (prop("FilterName", "MS Word 2007 XML"),))
    doc.close(True)
finally:
    try:
        desktop.terminate()
    except Exception:
        pass
    office.wait(timeout=60)
