"""Hand-written word lists: the cues around Indonesian names, and common name elements.

Everything here is written for this project (no corpus was copied). The lists are lowercase and
hold single tokens as the tokenizer produces them: `S.H.` is the tokens `S . H .`, so degrees are
listed by their letters joined (`sh`) and matched over a run of tokens by `pii.person.spans`.
"""

from __future__ import annotations


def words(text: str) -> frozenset[str]:
    """The whitespace-separated words of `text`."""
    return frozenset(text.split())


# Said before a name and not part of it: "Bapak Joko", "Ibu Hj. Sri", "Sdr. Budi", "dr. Rina".
HONORIFICS = words(
    """
    bapak bpk bp pak ibu bu ibunda ayahanda saudara saudari sdr sdri sdra tn tuan ny nyonya nn
    nona mas mbak mba mbakyu kak kakak bang abang adinda dik dek om tante uda uni teteh teh akang
    kang cak mbok mbah eyang opa oma engkong encik enci koh cici cik ci bli mister mr mrs ms
    miss madam
    haji hajah hajjah hj h kh kyai kiai kiyai ki nyi nyai ustaz ustad ustadz ustadzah ustazah habib
    syekh syeikh syaikh gus romo pastor pendeta pdt bhikkhu biksu suster bruder
    dr drg drs dra ir prof apt ns bidan
    almarhum almarhumah alm almh mendiang
    yth yang terhormat
    """
) - {"yang", "terhormat"}

# Academic degrees after a name, as their letters joined: ", S.H." -> "sh". Also "Sp.PD" -> "sppd".
DEGREES = words(
    """
    sh se st sp spd spdi sag sh shi sked skm skep sfarm sgz spt sip sei skom sikom ssos spsi
    ssi ssn sstp sds stp sth sm amd amdkeb amdkep amkeb amk mh mm msi mt mkom mpd mag mkes
    mkn mars mba msc ma phd mhum mti mfarm mak mp llm dr drs dra ir ak cpa sppd spa spog spb
    spm spkk spjp sprad spn sps sptht spkj spog mph bsc ba bba
    """
)

# Job and rank titles before a name: "Gubernur Jawa Barat Ridwan ...", "Kapolres ...".
TITLES = words(
    """
    presiden wapres wakil menteri menko mendagri menkeu menkes mendikbud menag menlu menhan
    menpan mensos menaker mentan menhub menkominfo menparekraf mendes menpora menristek menko
    gubernur wagub bupati wabup walikota wali wawali camat lurah kades kadus sekdes sekda
    kepala ketua ketum waketum sekretaris sekjen bendahara direktur dirut direksi komisaris
    manajer manager kapolri kapolda kapolres kapolsek kapolresta kasat kanit kabid kabag
    kasubag kasi kadis kadisdukcapil kakanwil kajari kajati panglima pangdam danrem dandim
    jenderal jend kolonel kol letkol mayor kapten letnan lettu letda brigjen irjen komjen
    mayjen letjen laksma laksda laksdya marsma marsda marsdya komodor kasad kasal kasau
    marsekal laksamana kombes akbp akp iptu ipda aiptu aipda bripka brigpol briptu bripda
    serka serda sertu kopda kopka praka pratu prada kopral sersan hakim jaksa pengacara
    advokat notaris dokter perawat guru dosen rektor dekan pelatih pemain striker kiper
    gelandang bek aktor aktris penyanyi artis presenter penulis sutradara produser ceo cfo
    cto coo founder pendiri jubir juru bicara anggota senator dubes duta besar raja ratu
    sultan paus perdana pm kanselir pembalap petenis pebulu pebasket pesepak pegolf petinju
    vokalis gitaris drummer bassis rapper youtuber selebgram komedian penyiar wartawan
    jurnalis kades staf pegawai karyawan petugas operator admin direktur
    """
)

# Words that introduce a name in a citizen's message or a form: "nama saya", "atas nama", "a.n.".
NAME_CUES = words(
    """
    nama namanya namaku nama2 saya aku sy gue gw gua ane an atas bernama dipanggil panggil
    panggilan sapaan disapa inisial pelapor terlapor pemohon penerima pengirim pasien korban
    tersangka terdakwa saksi pelaku ahli waris pewaris almarhum mendiang bin binti putra putri
    anak istri suami ayah ibu kakak adik nenek kakek cucu menantu mertua ttd hormat pengaju
    penanggung jawab pemilik penyewa penjual pembeli peserta siswa mahasiswa murid pegawai
    """
)

# Said of a person right after the name in news: "Budi mengatakan", "(35)".
AFTER_CUES = words(
    """
    mengatakan menjelaskan mengungkapkan menuturkan menambahkan menegaskan menyebut menyatakan
    mengaku meminta berharap menilai mengklaim membantah bercerita mengakui menyampaikan
    menerangkan memaparkan mengimbau menduga menyebutkan berkata bertanya menjawab lahir
    meninggal wafat tewas ditangkap divonis dilantik terpilih mengundurkan bersama beserta
    """
)

# Said before a quoted person in news: ", kata Budi", "ujar Siti".
SPEECH_BEFORE = words(
    """
    kata ujar ucap tutur ungkap jelas tegas sebut imbuh terang papar lanjut tambah katanya
    menurut oleh kepada dengan bersama
    """
)

# Relations and descriptions of a person before the name: "istri Budi", "aktor Reza".
PERSON_NOUNS = words(
    """
    istri suami ayah ibu anak putra putri adik kakak kakek nenek cucu paman bibi sepupu
    keponakan mertua menantu pacar kekasih tunangan sahabat teman rekan pria wanita perempuan
    laki lelaki bocah balita bayi remaja gadis pemuda warga sosok tokoh pasangan janda duda
    """
)

# Words that start or end an organisation name: "PT Telkom", "Dinas Kesehatan", "Bank BRI".
ORG_CUES = words(
    """
    pt cv ud tbk persero perum perumda bumn bumd koperasi kementerian kemenkes kemendagri
    kemenkeu kemendikbud kemenag kemensos kemnaker kementan kemenhub kominfo kemenkumham
    dinas disdukcapil dukcapil dispenda dishub disnaker dinkes diskominfo disdik dispora
    badan bpjs bpn bps bkn bpbd basarnas bnpb bnn lembaga komisi kpk kpu bawaslu ojk bi
    universitas univ institut politeknik akademi sekolah sma smk smp sd mts madrasah
    pesantren ponpes yayasan bank rumah sakit rs rsud rsup rsu rsia puskesmas klinik apotek
    polres polda polsek polresta polrestabes polri mabes kodim korem kodam koramil tni
    pemkot pemkab pemprov pemda pemdes pemerintah dprd dpr mpr dpd partai fraksi kejaksaan
    kejari kejati pengadilan mahkamah kantor kanwil kelurahan kecamatan sekretariat
    biro bagian direktorat ditjen satpol samsat kua kpp kpk grup group holding inc ltd corp
    company foundation fc club klub united festival liga piala cup asosiasi ikatan himpunan
    persatuan perhimpunan serikat federasi organisasi komunitas paguyuban forum tim
    rri tvri
    """
)

# Words naming a work, a group or a thing before its title: "berjudul Hikari", "band Pink Floyd",
# "film Ghost Whisperer", "pesawat Hawk", "Piala Bang Yos".
WORK_CUES = words(
    """
    berjudul bertajuk judul album single singel film sinetron serial drama novel buku majalah
    tabloid acara program grup band klub kapal pesawat merek produk aplikasi game gim lakon
    doktrin operasi piala trofi lagu patung lukisan
    """
)

# Words that start a place name: "Kota Bandung", "Jalan Sudirman", "Desa Sukamaju".
PLACE_CUES = words(
    """
    kota kabupaten kab provinsi prov propinsi kecamatan kec kelurahan kel desa ds kampung kp
    dusun dukuh banjar nagari gampong jalan jl jln gg gang perum perumahan komplek kompleks
    komp blok rt rw gunung gn sungai pulau danau pantai selat teluk laut samudra bandara
    stasiun terminal pelabuhan masjid gereja pura vihara klenteng pasar mall plaza hotel
    restoran toko warung gedung menara lapangan stadion taman museum monumen istana tugu
    alun jembatan tol simpang bundaran negara benua wilayah kawasan daerah lingkungan
    """
)

# Words that put a place after them: "di Bandung", "ke Surabaya", "asal Medan".
PLACE_BEFORE = words("di ke dari asal kawasan daerah wilayah menuju sekitar")

MONTHS_DAYS = words(
    """
    januari februari maret april mei juni juli agustus september oktober november desember
    jan feb mar apr jun jul agu agt ags sep sept okt nov des
    january february march may june july august october december
    senin selasa rabu kamis jumat jum'at sabtu minggu ahad
    monday tuesday wednesday thursday friday saturday sunday
    """
)

# Link words inside a name: "Abdurrahman bin Ali", "Georg von Trapp", "Minamoto no Yoritomo".
NAME_LINKS = words("bin binti van von der de den da al el la le dos del ibn ben bt")

# Prefixes that are part of a person's name: "Teuku Umar", "Andi ...", "I Made", "Raden Ajeng".
NAME_PREFIXES = words(
    """
    raden r ra rm rr ajeng ayu teuku tengku tgk t cut puti andi daeng gusti anak agung i ni
    ida bagus made wayan nyoman ketut putu kadek komang gede luh sutan datuk tuanku marah
    """
)

# Common Indonesian given names and name elements, written for this project.
GIVEN_NAMES = words(
    """
    muhammad mohammad mohamad muhamad muhammed moh mochamad mochammad achmad ahmad akhmad abdul
    abdullah abdurrahman abdurahman abu ali umar usman utsman hasan hassan husein husain
    hussein ibrahim ismail yusuf yusup idris ilyas ishak sulaiman sulaeman zainal zainudin
    zaenal zulkifli fauzi fauzan faisal faizal fadli fadhil fadil hamzah hamid hakim hidayat
    rahman rachman rahmat rachmat rohman rahim arif arief arifin ashari anwar amin aminah
    aminudin nur nurul nurhayati nuraini nurjanah nurlela siti fatimah fatma khadijah aisyah
    aisah zahra zahrah zainab maryam mariam halimah hasanah rohmah rahmawati rahayu salsabila
    nabila nadia syifa syarifah syarif hafiz hafidz iqbal ikhsan ihsan ilham imam irfan jamal
    jamaludin khairul kurniawan lukman luthfi mahmud mansyur marzuki mukhlis munir mustafa
    mustofa nasrul nasir rasyid ridwan rizal rizki rizky rizqi saiful syaiful samsul syamsul
    sholeh soleh taufik taufiq wahyu wahyudi yahya yunus zaki zakaria zulfikar annisa anisa
    aulia azizah dinda fitri fitria fitriani hanifah husna intan laila latifah mutiara nadya
    nisa risma sarah ulfa yuni yuliana sri tri dwi eko catur joko budi agus bambang slamet
    sugeng suparman supardi sutrisno sugiarto suharto suhartono sumarno sumarni suyanto
    sunarto sunardi sutarno sutarmi tuminah tukiman paijo parman darmo wati yanti yati
    ningsih lestari wulandari astuti handayani kusuma kusumawati setiawati purnama
    purnamasari puspita puspitasari anggraini anggraeni pratiwi utami susanti susilawati
    sulistyowati wahyuni widodo widya wijaya hartono haryanto heru hendra hendro herman iwan
    irwan dedi dede asep ujang cecep dadang ade aep euis neng enung nining ratna rini rina
    tuti yuyun iis ika eka dewi lilis nani nina ani ina endang enny erna erni evi fajar galih
    gilang guntur hadi adi aditya andi andri andre angga anton ari aris bayu benny candra
    chandra danang dani deni denny dian dimas doni edi edy fahmi ferry feri gunawan hari heri
    indra ivan jaka krisna kurnia lukas made wayan nyoman ketut putu kadek komang gede ayu luh
    mega melati mulyani nanda novi novita nurdin oktaviani puji putra putri ratih reza rudi
    rudy sandi sari septi setiawan siska sinta suci tika tono toni tommy udin vina wawan
    wulan yoga yogi yudi yulia maria yohanes petrus paulus stefanus fransiskus agustinus
    yosef yoseph markus matius antonius theresia katarina elisabeth agnes veronika yohana
    debora ruth grace natalia kristian kristina daniel david samuel michael gabriel imanuel
    immanuel rafi raffi rafa arga arya bima dimas fikri hafizh haikal kevin naufal rafael
    satria akbar alif azka fathir keyla kirana nayla salma zaskia alya aqila citra cahya
    cahyo prasetyo prasetya prabowo pramono saputra saputri hidayati maulana maulida ramadhan
    ramadani firmansyah hermawan setiadi santoso susanto sugianto sumarna supriyadi suprapto
    supriatna sukardi sukirman suryadi suryani sutomo syahputra syahrir syahrul nugraha
    nugroho permana permata wibowo wibisono wicaksono wirawan yulianti yusuf zulkarnain
    """
)

# Common family names of Batak, Minahasa, Maluku, Chinese-Indonesian and other families.
FAMILY_NAMES = words(
    """
    nasution lubis harahap siregar simanjuntak sitompul simatupang sinaga situmorang pardede
    panjaitan pasaribu silalahi tambunan hutapea manurung sembiring ginting tarigan purba
    saragih damanik sitorus simbolon hasibuan tanjung hutagalung hutabarat napitupulu
    sihombing sianturi sibarani simamora matondang rangkuti pohan daulay batubara tan lim
    liem oei kwee tjahjadi halim salim tanoto hartanto gozali lumban wowor pangemanan
    rumengan lumentut mandagi sondakh tumbelaka latuconsina tuasikal pattiasina matulessy
    wattimena leimena tahapary sahetapy ohoiwutun rumbiak wenda kogoya wonda tabuni
    """
)

# English nouns that end the name of a place, an organisation or a work ("Colo River", "BAE
# Systems", "Pink Floyd Records"), besides Faker's street and company suffixes.
THING_WORDS = words(
    """
    river hill hills lake mount mountain island islands bay beach coast valley park garden
    gardens street road avenue square station airport harbour harbor port bridge tower towers
    center centre hall house palace castle church cathedral temple mosque museum gallery
    library theatre theater stadium arena hotel resort mall market plaza building
    university college school academy institute foundation society association federation
    union council committee agency authority department ministry office bureau service
    services company corporation corp inc ltd llc plc group holdings holding industries
    systems technologies technology solutions networks network media studios studio films
    pictures records music entertainment productions production publishing press journal
    times post news magazine review daily herald gazette tribune television tv radio channel
    airlines airways motors motor bank capital partners ventures labs games band orchestra
    choir ensemble quartet trio club united city rovers wanderers athletic fc sc
    festival awards award cup league championship series show tour album single song
    """
)

# Continents and regions (Indonesian spelling) that no region table lists.
REGIONS = words("eropa asia afrika amerika australia antartika oseania skandinavia balkan")

# Said before a name and part of it in encyclopedic usage ("Sir Andrew", "Pangeran Diponegoro").
NAME_LEFT_TITLES = words("sir dame lord pangeran raden teuku tengku cut gusti daeng dewa batara")

# Identifiers and form fields written in capitals that a name list may hold (Nik, Sim, Kis).
ACRONYMS = words(
    "ktp nik kk npwp sim hp wa rt rw bpjs kis jkn nip nrp stnk bpkb skck nib nisn nomor no tgl"
)

# Used at run time only (not model features; adding them there needs a retrain): chat spellings
# of cue words, chat abbreviations, English words of messages and answers, holidays, civil
# service words and log levels that are never a name, though a list may hold them or the tagger
# may take them in next to one ("sya Fitri Wenas", "nma Reza Halim tlg", "Patient Mulyono").
RUN_TIME_CUES = words("sya nma nm namax patient applicant name my dear")
NOT_NAME_WORDS = RUN_TIME_CUES | words(
    """
    tlg tolong mhn mohon dgn utk yg blm sdh udh krn jg gmn gimana tp bs aja kak min gan
    please thanks thank hello hi confirm these this those that the your our their
    details kindly regards regarding
    trace debug info warn warning error fatal request response status
    idul idulfitri iduladha natal imlek nyepi waisak lebaran
    sipil negeri swasta wiraswasta honorer pns asn
    """
)
HOLIDAYS = words("idul idulfitri iduladha natal imlek nyepi waisak lebaran")

# Every cue word: not a name element, whatever a foreign name list says.
CUE_WORDS = (
    (
        HONORIFICS
        | DEGREES
        | TITLES
        | NAME_CUES
        | AFTER_CUES
        | SPEECH_BEFORE
        | PERSON_NOUNS
        | ORG_CUES
        | WORK_CUES
        | PLACE_CUES
        | PLACE_BEFORE
        | MONTHS_DAYS
        | ACRONYMS
    )
    - GIVEN_NAMES
    - FAMILY_NAMES
)
