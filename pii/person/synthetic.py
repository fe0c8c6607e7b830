"""Synthetic training sentences: citizen chat and news templates filled with generated names.

News in nlp-id rarely shows what a citizen's message to a public service looks like: `nama saya
budi santoso`, `Nama : AHMAD FAUZI`, `a.n. Rina Wati`, `Ibu Hj. Sri Mulyani, S.H.`, names next to
NIKs and addresses, places and offices that are not people (`Disdukcapil Kota Bandung`,
`Jl. Jend. Sudirman`, `PT Santoso Makmur`). The templates here are written for this project;
names come from Faker's lists and from made-up Indonesian-sounding names that are on no list, so
the tagger learns the cues and not only the lists. A small share of news sentences name villages,
islands and works whose names look like people's (`Wuwur adalah desa di ...`, `single berjudul
Hikari Hitotsu`), so that the words around a name count, not only its shape. Deterministic for a
given seed.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

from pii.person.lexicon import words
from pii.person.tokens import tokenize

Example = tuple[list[str], list[str]]

# ---- templates ---------------------------------------------------------------------------------
# {P} a person's name; {HP} an honorific, a name and sometimes a degree; {PL} a place; {ORG} an
# organisation; {ADDR} a street address; {NIK} {HPNO} {DATE} {NUM} {AGE} {MONTH} plain values.

CHAT_TEMPLATES = (
    "Selamat pagi, saya {P} dari {PL}, mau tanya soal pembuatan KTP.",
    "selamat siang min, saya {P} mau tanya cara urus KK yang hilang",
    "nama saya {P}, NIK {NIK}, alamat {ADDR}",
    "Nama saya {P}. Saya tinggal di {PL}.",
    "Halo, perkenalkan nama saya {P}, warga {PL}.",
    "Nama : {P}\nNIK : {NIK}\nAlamat : {ADDR}\nNo. HP : {HPNO}",
    "Nama: {P}\nTempat/Tgl Lahir: {PL}, {DATE}\nAlamat: {ADDR}",
    "Nama Lengkap : {P}\nNo HP : {HPNO}",
    "nama lengkap: {P}\nnik: {NIK}",
    "Nama Pemohon : {P}",
    "Nama Ibu Kandung : {P}",
    "Nama Ayah : {P}\nNama Ibu : {P}",
    "Mohon dibantu pak, KTP atas nama {P} belum jadi sejak bulan {MONTH}.",
    "Tolong cek pengajuan atas nama {P} ya kak, NIK {NIK}",
    "transfer ke rekening BRI {NUM} a.n. {P}",
    "Sudah saya transfer ke rek BCA {NUM} a.n {P}, mohon dicek.",
    "pembayaran ke rekening Mandiri a/n {P} sudah dilakukan",
    "KTP an {P} hilang, bagaimana cara mengurusnya?",
    "tolong cek berkas an {P} ya min",
    "sudah tf ke rek {NUM} an {P}",
    "sy mau cek data an. {P} udh masuk blm?",
    "mhn dibantu min, sy {P} dr {PL}",
    "tlg dicek ya kak, berkas an. {P} kok blm diproses",
    "udh sy kirim ke {HP} kmrn",
    "sy wali dr {P}, mau tny soal pendaftaran",
    "Surat kuasa ini diberikan kepada {HP} untuk mengurus akta kelahiran.",
    "Saya ingin melaporkan {HP} yang tidak datang ke kantor {ORG}.",
    "Saya sudah bertemu {HP} di {ORG} tadi pagi.",
    "Kemarin {HP} bilang berkasnya kurang fotokopi KK.",
    "Yth. {HP}, mohon informasi jadwal pelayanan {ORG}.",
    "Kepada Yth. {HP}\ndi tempat",
    "Terima kasih {HP} atas bantuannya.",
    "Terima kasih banyak Pak, sangat membantu.",
    "Pak, saya mau tanya jam buka {ORG} hari {DAY}?",
    "Bu, apakah pengambilan KTP bisa diwakilkan?",
    "Mohon bantuannya kak, data saya di {ORG} salah.",
    "Anak saya {P} lahir tanggal {DATE} di {ORG}.",
    "anak saya {P} mau daftar sekolah, syaratnya apa saja?",
    "Istri saya, {P}, sedang dirawat di {ORG}.",
    "suami saya {P} meninggal bulan {MONTH}, bagaimana mengurus akta kematian?",
    "Almarhum {PB} meninggal pada {DATE}.",
    "Ahli waris atas nama {PB}.",
    "Saya {PB}, warga {PL}.",
    "Yang bertanda tangan di bawah ini, {PB}, menerangkan bahwa ...",
    "Ayah saya bernama {P}, sudah pensiun dari {ORG}.",
    "Ibu saya bernama {P}.",
    "Pelapor: {P}, terlapor: {P}",
    "Atas nama pasien {P}, No. RM {NUM}",
    "Pasien {P}, usia {AGE} tahun, dirujuk ke {ORG}.",
    "dengan {HP} di bagian pelayanan, bisa dibantu?",
    "Ini dengan {P}? Saya dari {ORG}.",
    "Saya dipanggil {P} sama teman-teman.",
    "Tadi saya dilayani {HP}, ramah sekali.",
    "Hormat saya,\n{P}",
    "Salam,\n{P}\n{HPNO}",
    "Ttd,\n{HP}",
    "Mau tanya, apakah {HP} masih bertugas di {ORG}?",
    "Mohon maaf {HP}, saya belum bisa datang hari {DAY}.",
    "Saya sudah lapor ke {HP} tapi belum ada tanggapan.",
    "Menurut {HP}, berkas harus dibawa ke {ORG}.",
    "Saya {P}, mau konfirmasi jadwal vaksin di {ORG}.",
    "Perkenalkan, saya {P} dari {ORG}.",
    "Kontak person: {P} ({HPNO})",
    "CP: {P} {HPNO}",
    "Penerima bantuan: {P}, {ADDR}",
    "Data KK: kepala keluarga {P}, istri {P}, anak {P}",
    "saya mau tanya, kenapa NIK saya tidak terdaftar di {ORG}?",
    "Saya warga {PL}, alamat {ADDR}, mau urus pindah domisili.",
    "Kantor {ORG} di {ADDR} buka jam berapa ya?",
    "Apakah pelayanan di {ORG} buka tanggal {DATE}?",
    "Saya tinggal di {ADDR}, {PL}.",
    "Tolong sampaikan ke {ORG} bahwa jalan di {PL} rusak.",
    "Kapan jadwal posyandu di {PL} bulan {MONTH}?",
    "Mohon informasi syarat pembuatan akta di {ORG}.",
    "Saya sudah antre di {ORG} sejak pagi, belum dipanggil.",
    "Terima kasih min, infonya sangat membantu.",
    "Oke kak, nanti saya ke {ORG} hari {DAY}.",
    "Pendaftaran BPJS untuk keluarga saya sudah diproses belum?",
    "Bisa minta nomor WA {ORG}?",
    "Saya kerja di {ORG} sebagai staf.",
    "Mau tanya pak, jadwal sidang di {ORG} kapan?",
    "Selamat sore Bapak/Ibu, saya mau konsultasi.",
    "Assalamualaikum, saya mau bertanya tentang bansos.",
    "Apakah saya perlu membawa surat pengantar dari RT dan RW?",
    "Kakak saya {P} kerja di {PL}, bisa diwakilkan?",
    "Teman saya {P} juga mengalami masalah yang sama.",
    "Saya sudah chat {P} dari {ORG} tapi belum dibalas.",
    "Mohon segera ditindaklanjuti. Salam, {P}.",
    "nama: {P} | nik: {NIK} | hp: {HPNO}",
    "{P}, {AGE} tahun, warga {PL}",
    "Saya {HP}, guru di {ORG}.",
    "Anak saya dirawat di {NAMED}, mohon info klaim BPJS.",
    "Saya alumni {NAMED} angkatan {YEAR}.",
    "Lokasinya dekat {NAMED}, {ADDR}.",
    "Pengajian rutin di {NAMED} setiap malam Jumat.",
)

NEWS_TEMPLATES = (
    "{TITLE} {ORG} {P} mengatakan, pelayanan akan ditingkatkan.",
    '"Kami akan segera menindaklanjuti laporan itu," kata {P} di {PL}, {DAY} ({DATE}).',
    "Hal itu disampaikan {TITLE} {PL} {P} saat ditemui di {ORG}.",
    "{P} ({AGE}) ditemukan tewas di rumahnya di {PL}.",
    "Korban bernama {P} ({AGE}), warga {PL}.",
    "Menurut {P}, program tersebut sudah berjalan sejak {MONTH}.",
    "{P} menjelaskan, {ORG} akan membuka pendaftaran pada {MONTH}.",
    "Pertandingan itu dimenangi {P} setelah mengalahkan {P}.",
    "Film tersebut dibintangi {P} dan {P}.",
    "Aktor {P} hadir bersama istrinya, {P}.",
    "Penyanyi {P} akan menggelar konser di {PL} pada {MONTH} mendatang.",
    "{ORG} menunjuk {P} sebagai direktur utama yang baru.",
    "{P} lahir di {PL} pada {DATE}.",
    "Putra {P} itu kini menjabat sebagai {TITLE} {PL}.",
    "Sementara itu, {TITLE} {ORG}, {P}, menegaskan pihaknya siap membantu.",
    "Kepala {ORG} {P} meninjau lokasi banjir di {PL}.",
    "Hadir dalam acara itu {TITLE} {PL} {P} dan {TITLE} {PL} {P}.",
    "{ORG} menggelar rapat di {PL} pada {DAY} ({DATE}).",
    "Banjir merendam ratusan rumah di {PL} sejak {DAY} malam.",
    "{ORG} mencatat kenaikan harga beras di {PL} pada {MONTH}.",
    "Pemerintah {PL} menyiapkan anggaran untuk perbaikan jalan.",
    "Warga {PL} memadati {ORG} untuk mengurus dokumen kependudukan.",
    "Rapat tersebut dipimpin oleh {TITLE} {ORG} {P}.",
    "Ia digantikan oleh {P} yang sebelumnya menjabat di {ORG}.",
    "Lagu itu ditulis oleh {P} untuk album keduanya.",
    "{P} adalah seorang penulis asal {PL}.",
    "{P} dan {P} menikah di {PL} pada {MONTH}.",
    "Pelatih {P} memuji penampilan {P} dalam laga tersebut.",
    "Tersangka berinisial {INITIALS} ditangkap di {PL}.",
    "{P} merupakan anak dari {P} dan {P}.",
    "Dalam film itu, {P} berperan sebagai {P}.",
    "{HP} meresmikan gedung baru {ORG} di {PL}.",
    "{TORG} {P} mengatakan, pihaknya akan mengevaluasi program tersebut.",
    "Acara itu dihadiri {TORG} {P} dan {TORG} {P}.",
    "Hal itu disampaikan {TORG} {P} di {PL}, {DAY} ({DATE}).",
    "Menurut {TORG} {P}, anggaran sudah disiapkan.",
    "{TORG} menyatakan akan menindaklanjuti laporan warga {PL}.",
    'Lagu "{WORK}" dinyanyikan oleh {P}.',
    "Film {WORK} dibintangi {P}, {P}, dan {P}.",
    "Ia dikenal lewat album {WORK} yang dirilis pada {MONTH} {YEAR}.",
    'Serial "{WORK}" tayang perdana pada {YEAR}.',
    '{P} tampil dalam film "{WORK}" ({YEAR}) dan "{WORK}" ({YEAR}).',
    "Novel {WORK} karya {P} terbit pada {YEAR}.",
    "{WORK} adalah album studio kedua dari grup musik {WORK}.",
    "Klub {WORK} FC mengalahkan {WORK} United dengan skor 2-1.",
    "Daerah itu meliputi {PL}, {PL}, {PL}, dan {PL}.",
    "Sungai itu melewati {PL} dan {PL} sebelum bermuara di {PL}.",
    "Ia lahir di {PL} dan besar di {PL}.",
    "{P} menikah dengan {P} pada {YEAR} dan dikaruniai dua anak.",
    "Putri dari {P} dan {P} ini memulai kariernya sebagai model.",
    "Pada {YEAR}, {P} bergabung dengan {ORG}.",
    "{P} adalah pemain sepak bola asal {PL} yang bermain untuk {WORK} FC.",
    "Rombongan tiba di {PL} pada {DAY} pagi dan langsung menuju {ORG}.",
    "Harga cabai di {PL} naik menjelang {MONTH}.",
)

# Encyclopedia-style sentences: people, often without any title or cue, next to bands, films,
# clubs, companies and places in the same positions ("seorang" marks a person, "sebuah" a thing).
BIO_TEMPLATES = (
    "{P} adalah seorang {ROLE} asal {PL}.",
    "{P} ({YEAR} - {YEAR}) adalah seorang {ROLE} berkebangsaan {NATION}.",
    "{P} lahir di {PL} pada {DATE}.",
    "{P} dilahirkan di {PL} sebagai anak {ORD} dari {P} dan {P}.",
    "{P} menikah dengan {P} pada tahun {YEAR}.",
    "{PM} mulai dikenal publik setelah merilis album {WORK}.",
    "{PM} kemudian bergabung dengan {WORK} pada {YEAR}.",
    "Pada tahun {YEAR}, {PM} pindah ke {PL} dan bekerja di {ORG}.",
    "Setelah lulus, {PM} melanjutkan kuliah di {ORG}.",
    "{PM} menerima penghargaan {WORK} untuk kategori {ROLE} terbaik.",
    "Lagu tersebut kemudian dinyanyikan ulang oleh {P}.",
    "Film ini disutradarai oleh {P} dan dibintangi oleh {P} serta {P}.",
    "Ia berperan sebagai {P} dalam film {WORK} ({YEAR}).",
    "Album {WORK} ({P}), {WORK} ({P}), dan {WORK} ({P}) masuk tangga lagu.",
    "Anggota grup ini adalah {P}, {P}, {P}, dan {P}.",
    "Ia bermain bersama {P} dan {P} di klub {WORK}.",
    "{P} digantikan oleh {P} sebagai pelatih {WORK} FC.",
    "Karier {PM} menurun setelah cedera pada musim {YEAR}.",
    "Menurut {P}, karya tersebut dipengaruhi oleh musik {NATION}.",
    "Penghargaan itu diserahkan langsung oleh {P} di {PL}.",
    "{WORK} adalah sebuah band {ROCK} asal {PL} yang dibentuk pada tahun {YEAR}.",
    "{WORK} adalah sebuah film {NATION} yang dirilis pada tahun {YEAR}.",
    "{WORK} merupakan sebuah perusahaan yang berkantor pusat di {PL}.",
    "{PL} adalah sebuah kota di {PL}.",
    "{PL} adalah sebuah desa di kecamatan {PL}, {PL}.",
    "Pada tahun {YEAR}, {WORK} merilis album studio pertama mereka.",
    "{WORK} menjuarai liga setelah mengalahkan {WORK} di final.",
    "Grup {WORK} dibentuk oleh {P} dan {P} pada tahun {YEAR}.",
    "Tokoh-tokoh yang hadir antara lain {P}, {P}, {P}, dan {P}.",
    "Pada tahun yang sama, {PM} merilis single berjudul {WORK} dan {WORK}.",
    "Buku berjudul {WORK} itu ditulis oleh {P}.",
    "Ia kuliah di {NAMED} dan kemudian mengajar di {NAMED}.",
    "Jenazahnya dimakamkan di {NAMED} setelah disalatkan di {NAMED}.",
    "{NAMED} terletak di {PL}.",
    "Pertandingan digelar di {NAMED}, {PL}.",
    "Wilayah ini terdiri dari {PL}, {PL}, dan {PL}.",
    "Ia dirawat di {NAMED} sebelum meninggal pada {DATE}.",
    "Pada masa awal {WORK}, {PM} menulis sebagian besar lagu mereka.",
    "{PM} adalah salah satu pendiri grup musik {WORK}.",
    "Sebelum mendirikan {WORK}, {PM} bekerja sebagai {ROLE}.",
    "Gol {PM} membawa {WORK} menang atas {WORK}.",
    "Ia tampil di atas panggung {WORK} bersama {P}.",
    "Ia dikenal lewat iklan {WORK} dan {WORK} di televisi.",
    "{WORK} ditahan imbang {WORK} di kandang sendiri.",
    "Serial {WORK} ({YEAR}) dan {WORK} ({YEAR}) juga dibintanginya.",
    "{PM} lahir di {FPL}, {FPL}, sebagai anak {ORD}.",
    "Keluarganya pindah ke {FPL} ketika {PM} berusia {AGE} tahun.",
    "Kantor pusat {WORK} berada di {FPL}.",
    "Penduduk desa {PL} mayoritas beragama {RELIGION}.",
)

# Villages, islands and peaks that no list holds, and titles of works that look like names:
# known only by what is said around them. Drawn for a small share of the news sentences.
THING_TEMPLATES = (
    "{VIL} adalah desa di kecamatan {VIL}, {PL}, {PL}, Indonesia.",
    "{VIL} adalah sebuah desa di kecamatan {PL}, {PL}.",
    "{VIL} merupakan salah satu kelurahan di kecamatan {VIL}.",
    "Pulau {VIL} atau {VIL} adalah salah satu pulau di wilayah {PL}.",
    "Gunung itu memiliki dua puncak, yaitu {VIL} dan {VIL}.",
    "Anak-anak {VIL} kini bersekolah di {PL}.",
    "Warga desa {VIL} menolak rencana pembangunan tambang.",
    "Kecamatan ini terdiri dari desa {VIL}, {VIL}, {VIL}, dan {VIL}.",
    "Penduduk {VIL} sebagian besar bekerja sebagai petani.",
    "Pada tahun {YEAR}, distrik {VIL} berubah status menjadi kecamatan {VIL}.",
    "Jalur kereta itu berakhir di {VIL} dan {VIL}.",
    "Pada tahun yang sama ia merilis dua single, masing-masing berjudul {WORKN} dan {WORKN}.",
    'Single terbarunya berjudul "{WORKN}" dirilis pada {MONTH} {YEAR}.',
    "Ia menjadi bintang tamu di {WORKN} ({YEAR}) dan {WORKN} ({YEAR}).",
    "Grup musik {WORKN} dibentuk di {FPL} pada tahun {YEAR}.",
    "Band {WORKN} kembali merilis album setelah vakum selama {AGE} tahun.",
    "Lakon-lakon yang pernah dimainkannya antara lain {WORKN}, {WORKN}, dan {WORKN}.",
    "Film {WORKN} meraih penghargaan di festival film {FPL}.",
    "Pabrik itu memproduksi pesawat {WORKN} dan {WORKN}.",
    "Tim itu menjuarai Piala {WORKN} pada tahun {YEAR}.",
)
ROLES = (
    "penyanyi", "aktor", "aktris", "penulis", "politikus", "pemain sepak bola", "pelukis",
    "sutradara", "musisi", "pengusaha", "ilmuwan", "wartawan", "atlet", "komedian", "model",
)  # fmt: skip
NATIONS = ("Indonesia", "Amerika Serikat", "Jepang", "Korea Selatan", "Inggris", "Prancis",
           "Belanda", "Jerman", "India", "Malaysia", "Filipina", "Italia")  # fmt: skip
RELIGIONS = ("Islam", "Kristen Protestan", "Katolik", "Hindu", "Buddha", "Konghucu")
ROCK = ("rock", "pop", "indie", "metal", "jazz", "punk")
ORDINALS = ("pertama", "kedua", "ketiga", "bungsu", "sulung", "tunggal")
KOREAN = sorted(
    words(
        "Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim Han Oh Seo Shin Kwon Hwang Ahn Song Yoo Hong"
    )
)
SYLLABLES = sorted(
    words("min ji hye eun soo young jin woo hyun seung ho jae yeon mi na ra hee sun kyung jun hoon")
)
JAPANESE_ENDINGS = ("ko", "mi", "ka", "na", "ro", "ta", "to", "ki", "ya", "shi", "moto", "mura",
                    "kawa", "yama", "ta", "da", "no", "ji")  # fmt: skip

DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
    "Oktober", "November", "Desember",
)  # fmt: skip
HONORIFICS_MALE = ("Bapak", "Pak", "Bpk.", "Bp.", "Sdr.", "Tn.", "Mas", "Bang", "Kak", "Om")
HONORIFICS_FEMALE = ("Ibu", "Bu", "Ny.", "Nn.", "Sdri.", "Mbak", "Mba", "Kak", "Tante")
PRE_TITLES = ("H.", "Hj.", "Dr.", "dr.", "drg.", "Drs.", "Ir.", "Prof.", "KH.", "Ustaz", "Haji")
DEGREES = (
    "S.H.", "S.E.", "S.Kom.", "S.Pd.", "M.Si.", "M.M.", "S.T.", "M.H.", "S.Sos.", "Sp.PD",
    "S.Ked.", "M.Kes.", "S.Ag.", "Ph.D.", "S.IP.", "M.Pd.",
)  # fmt: skip
TITLES = (
    "Gubernur", "Bupati", "Wali Kota", "Wakil Bupati", "Kepala Dinas", "Camat", "Lurah",
    "Kapolres", "Kapolda", "Menteri", "Direktur", "Ketua", "Sekretaris Daerah", "Kepala Desa",
    "Juru Bicara", "Komandan",
)  # fmt: skip
MINISTRIES = (
    "Dalam Negeri", "Luar Negeri", "Keuangan", "Kesehatan", "Pertahanan", "Agama", "Sosial",
    "Pertanian", "Perdagangan", "Perindustrian", "Perhubungan", "Pariwisata", "BUMN", "ESDM",
    "Hukum dan HAM", "Koperasi dan UKM", "Ketenagakerjaan", "PUPR", "Kelautan dan Perikanan",
    "Lingkungan Hidup dan Kehutanan", "Pemuda dan Olahraga", "Komunikasi dan Informatika",
    "Sekretaris Negara", "Pendidikan, Kebudayaan, Riset, dan Teknologi", "Desa",
    "Pemberdayaan Perempuan dan Perlindungan Anak", "Agraria dan Tata Ruang", "Investasi",
)  # fmt: skip
AGENCY_FIELDS = (
    "Kependudukan dan Pencatatan Sipil", "Kesehatan", "Pendidikan", "Sosial", "Perhubungan",
    "Pekerjaan Umum", "Lingkungan Hidup", "Pariwisata", "Tenaga Kerja", "Pertanian",
    "Komunikasi dan Informatika", "Perumahan Rakyat", "Pemadam Kebakaran",
)  # fmt: skip
ORG_PATTERNS = (
    "Disdukcapil {PLN}", "Dinas Kependudukan dan Pencatatan Sipil {PLN}", "Disdukcapil",
    "Dinas Kesehatan {PLN}", "Dinas Sosial", "Kementerian Dalam Negeri", "Kemendagri",
    "Kementerian Kesehatan", "Kementerian Agama", "BPJS Kesehatan", "BPJS Ketenagakerjaan",
    "RSUD {PLN}", "Puskesmas {PLX}", "Polres {PLX}", "Polsek {PLX}", "Polda {PROV}",
    "Pemkot {PLX}", "Pemkab {PLX}", "Pemprov {PROV}", "DPRD {PLN}", "Kantor Kecamatan {PLX}",
    "Kantor Desa {PLX}", "Kelurahan {PLX}", "Universitas {PLX}", "Bank BRI", "Bank Mandiri",
    "Bank BNI", "BCA", "PT Telkom Indonesia", "PT PLN (Persero)", "PT Pos Indonesia",
    "PT {SUR} {SUR}", "CV {SUR} Jaya", "PT {SUR} Makmur Tbk", "KPU {PLN}", "Bawaslu {PROV}",
    "SMA Negeri 1 {PLX}", "SD Negeri {NUM2} {PLX}", "Pengadilan Agama {PLX}", "KUA {PLX}",
    "Kantor Imigrasi {PLX}", "Samsat {PLX}", "Mal Pelayanan Publik {PLX}", "BPN {PLN}",
    "Kejaksaan Negeri {PLX}", "Rumah Sakit {SUR}", "Yayasan {SUR}", "Masjid Al-Ikhlas",
)  # fmt: skip
PLACE_PATTERNS = (
    "Kota {KOTA}", "Kabupaten {KAB}", "Kab. {KAB}", "{PROV}", "Provinsi {PROV}", "{KOTA}",
    "Kecamatan {KEC}", "Kec. {KEC}", "Desa {KEC}", "Kelurahan {KEC}", "{KOTA}, {PROV}",
    "{KEC}", "{KEC}", "Dusun {KEC}", "{KAB}",
)  # fmt: skip
NAMED_CUES = (
    "Masjid", "Masjid Agung", "Musala", "Pondok Pesantren", "Ponpes", "Universitas", "Institut",
    "Sekolah Tinggi", "RSUD", "RS", "Rumah Sakit", "Bandara", "Stadion", "Gelanggang", "Gedung",
    "Yayasan", "Museum", "Taman", "Lapangan", "Jalan", "Jl.", "Pelabuhan", "Terminal",
    "Kampus", "Madrasah", "SMA", "Universitas Islam", "Aula", "Wisma", "Komplek", "Perumahan",
    "Gereja", "Makam", "Monumen", "Stasiun",
)  # fmt: skip
VILLAGE_FIRST = (
    "Sido", "Suka", "Karang", "Sumber", "Ci", "Tanjung", "Kali", "Mekar", "Tegal", "Banjar",
    "Rawa", "Pasir", "Muara", "Wono", "Tirto", "Bojong", "Jati", "Gunung", "Toko", "Batu",
)  # fmt: skip
VILLAGE_SECOND = (
    "mulyo", "rejo", "harjo", "sari", "jaya", "makmur", "maju", "mukti", "agung", "asih",
    "wangi", "tua", "sono", "kerto", "laya", "manik", "rahayu", "endah", "baru", "indah",
)  # fmt: skip
STREET_PREFIXES = ("Jl.", "Jln.", "Jalan", "Gg.", "Gang", "Jl")

# Shares of made-up Indonesian name parts: chat needs more, so that a lowercase word on no list
# after "nama saya" or "a.n." is learned to be a name.
NEWS_INVENTED = 0.25
CHAT_INVENTED = 0.4

Slot = tuple[str, str]  # (text, label: "PER", "NNP" or "O")


class Generator:
    """Fills the templates with names, places and organisations drawn from the given lists."""

    def __init__(
        self,
        rng: random.Random,
        *,
        given: list[str],
        family: list[str],
        intl_given: list[str],
        intl_family: list[str],
        provinces: list[str],
        regencies: list[str],
        cities: list[str],
        districts: list[str],
        streets: list[str],
        foreign_words: list[str],
        common_words: list[str],
        thing_words: list[str],
        foreign_places: list[str],
    ) -> None:
        self.rng = rng
        self.given = given
        self.family = family
        self.intl_given = intl_given
        self.intl_family = intl_family
        self.provinces = provinces
        self.regencies = regencies
        self.cities = cities
        self.districts = districts
        self.streets = streets
        self.foreign_words = foreign_words
        self.common_words = common_words
        self.thing_words = thing_words
        self.foreign_places = foreign_places
        self.invented_share = NEWS_INVENTED  # of Indonesian name parts made up, not drawn

    # -- names -----------------------------------------------------------------------------------

    def invented(self) -> str:
        """An Indonesian-sounding name on no list: syllables and a common ending."""
        rng = self.rng
        onsets = sorted(words("b c d g h j k l m n p r s t w y sy ny ng dj tj"))
        vowels = ("a", "a", "a", "i", "i", "u", "u", "e", "o")
        endings = sorted(
            words("to no wati yanti ni ah man di ti na ri sih wan yah ra fa lia jo mo dja iah")
        )
        body = "".join(rng.choice(onsets) + rng.choice(vowels) for _ in range(rng.randint(1, 2)))
        return (body + rng.choice(endings)).capitalize()

    def east_asian(self) -> str:
        """A Korean- or Japanese-looking romanised name (made up)."""
        rng = self.rng
        if rng.random() < 0.5:
            given = (
                rng.choice(SYLLABLES).capitalize()
                + rng.choice(("", " ", "-"))
                + rng.choice(SYLLABLES)
            )
            given = given.replace(" ", " ").title() if " " in given else given
            return f"{rng.choice(KOREAN)} {given}" if rng.random() < 0.8 else given

        def word() -> str:
            onset = rng.choice("kstnhmyrwgzdb")
            return (onset + rng.choice("aiueo") + rng.choice(JAPANESE_ENDINGS)).capitalize()

        return f"{word()} {word()}"

    def person(self, *, international: bool = False) -> str:
        """A name of one to four words."""
        rng = self.rng
        if international and rng.random() < 0.2:
            return self.east_asian()
        if international and self.intl_given:
            parts = [rng.choice(self.intl_given)]
            roll = rng.random()
            if roll < 0.25:
                parts.append(rng.choice(self.intl_given))
            elif roll < 0.35:
                parts.append(rng.choice("ABCDEFGHJKLMNPRSTW") + ".")
            if rng.random() < 0.85:
                if rng.random() < 0.06:
                    parts.append(rng.choice(("van", "von", "de", "van der", "da", "del")))
                family = rng.choice(self.intl_family)
                if rng.random() < 0.05:
                    family += "-" + rng.choice(self.intl_family)
                parts.append(family)
                if rng.random() < 0.04:
                    parts.append(rng.choice(("Jr.", "Sr.", "II", "III")))
            return " ".join(parts)

        def part(pool: list[str]) -> str:
            return self.invented() if rng.random() < self.invented_share else rng.choice(pool)

        roll = rng.random()
        if roll < 0.18:
            parts = [part(self.given)]
        elif roll < 0.65:
            parts = [part(self.given), part(self.family + self.given)]
        elif roll < 0.93:
            parts = [part(self.given), part(self.given), part(self.family)]
        else:
            parts = [part(self.given), part(self.given), part(self.given), part(self.family)]
        if rng.random() < 0.12:
            parts.insert(0, rng.choice(("Muhammad", "Siti", "Nur", "Ahmad", "Moh.", "M.", "Sri")))
        elif rng.random() < 0.05 and len(parts) >= 2:
            parts.insert(1, rng.choice("ABCDEFGHIJKLMNOPRSTUWY") + ".")
        if rng.random() < 0.04:
            parts.insert(0, rng.choice(("Raden", "Andi", "Teuku", "Cut", "I Made", "Ni Luh")))
        return " ".join(parts)

    def honorific_person(self) -> list[Slot]:
        """`Bapak Joko`, `Ibu Hj. Sri Mulyani, S.H.`, `dr. Rina`: the name alone is PER."""
        rng = self.rng
        slots: list[Slot] = []
        if rng.random() < 0.85:
            slots.append((rng.choice(HONORIFICS_MALE + HONORIFICS_FEMALE) + " ", "O"))
        if rng.random() < 0.3:
            slots.append((rng.choice(PRE_TITLES) + " ", "O"))
        slots.append((self.person(), "PER"))
        if rng.random() < 0.2:
            slots.append((", " + rng.choice(DEGREES), "O"))
        return slots

    # -- places and organisations ----------------------------------------------------------------

    def _fill(self, pattern: str) -> str:
        rng = self.rng
        fills: dict[str, Callable[[], str]] = {
            "PLN": lambda: (
                rng.choice(("Kota ", "Kabupaten ", "Kab. ", "Provinsi ", ""))
                + rng.choice(self.cities + self.regencies)
            ),
            "PLX": lambda: rng.choice(self.cities + self.regencies + self.districts),
            "PROV": lambda: rng.choice(self.provinces),
            "KOTA": lambda: rng.choice(self.cities),
            "KAB": lambda: rng.choice(self.regencies),
            "KEC": lambda: rng.choice(self.districts),
            "SUR": lambda: rng.choice(self.family),
            "NUM2": lambda: str(rng.randint(1, 20)),
        }
        return re.sub(r"\{(\w+)\}", lambda m: fills[m.group(1)](), pattern)

    def place(self) -> str:
        """A place name: `Kota Bandung`, `Kecamatan Coblong`, `Jawa Barat`."""
        return self._fill(self.rng.choice(PLACE_PATTERNS))

    def organisation(self) -> str:
        """An organisation: `Disdukcapil Kota Bandung`, `PT Santoso Makmur Tbk`."""
        return self._fill(self.rng.choice(ORG_PATTERNS))

    def title_chain(self) -> str:
        """`Menteri Perhubungan`, `Kepala Dinas Kesehatan Kota Bogor`, `Direktur Utama PT X`."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.3:
            return rng.choice(("Menteri ", "Wakil Menteri ", "Menteri ", "Sekjen Kementerian ")) + (
                rng.choice(MINISTRIES)
            )
        if roll < 0.55:
            return rng.choice(("Kepala Dinas ", "Kadis ", "Sekretaris Dinas ")) + (
                rng.choice(AGENCY_FIELDS) + rng.choice(("", " " + self._fill("{PLN}")))
            )
        if roll < 0.75:
            return rng.choice(TITLES) + " " + rng.choice((self.place(), self._fill("{PROV}")))
        return rng.choice(("Direktur Utama ", "Ketua ", "Wakil Ketua ", "Kepala ", "Humas ")) + (
            self.organisation()
        )

    def named_after_person(self) -> str:
        """A place or institution named after a person: `RSUD dr. Soetomo`, `Masjid Nurul
        Iman`, `Universitas Ahmad Dahlan`, `Jalan Ahmad Yani`. Not a person."""
        rng = self.rng
        cue = rng.choice(NAMED_CUES)
        if cue in ("RSUD", "RS", "Rumah Sakit") and rng.random() < 0.4:
            cue += " dr."
        return f"{cue} {self.person()}"

    def village(self) -> str:
        """A village, island or peak: a district from the table, or a made-up name that looks
        like a person's (`Wuwur`, `Tokotua`), so that only the words around it tell."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.35:
            return rng.choice(self.districts)
        if roll < 0.7:
            return self.invented()
        first, second = rng.choice(VILLAGE_FIRST), rng.choice(VILLAGE_SECOND)
        return f"{first}{second}" if rng.random() < 0.7 else f"{first} {second.capitalize()}"

    def name_like_work(self) -> str:
        """A title that looks like a person's name (`Hikari Hitotsu`, `Pink Floyd`, `Mega`)."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.3:
            return self.east_asian()
        if roll < 0.55:
            return self.person(international=True)
        if roll < 0.7:
            return self.invented() + " " + self.invented()
        return self.work()

    def work(self) -> str:
        """A title of a film, song, album or club: capitalised common words, not a person."""
        rng = self.rng
        pool = self.foreign_words if rng.random() < 0.6 else self.common_words
        parts = [rng.choice(pool).capitalize() for _ in range(rng.randint(1, 4))]
        roll = rng.random()
        if roll < 0.2:  # named after someone: "Warner Bros", "Pink Floyd", "Lotte"
            parts[0] = rng.choice(self.intl_given + self.intl_family)
        elif roll < 0.35:
            parts = [*parts[:2], rng.choice(self.thing_words).capitalize()]
        if rng.random() < 0.2:
            parts.insert(0, "The")
        return " ".join(parts)

    def address(self) -> list[Slot]:
        """`Jl. Jend. Sudirman No. 12 RT 03/RW 04`: the street name is a place, not a person."""
        rng = self.rng
        street = rng.choice(self.streets) if rng.random() < 0.7 else self.person()
        slots: list[Slot] = [(rng.choice(STREET_PREFIXES) + " ", "O"), (street, "NNP")]
        slots.append((f" No. {rng.randint(1, 200)}", "O"))
        if rng.random() < 0.6:
            slots.append((f" RT {rng.randint(1, 15):02d}/RW {rng.randint(1, 12):02d}", "O"))
        if rng.random() < 0.4:
            slots.append((", ", "O"))
            slots.append((self.place(), "NNP"))
        return slots

    # -- sentences -------------------------------------------------------------------------------

    def sentence(self, template: str, *, international: bool = False) -> list[Slot]:
        """A filled template as labelled slots."""
        rng = self.rng
        slots: list[Slot] = []
        pos = 0
        for match in re.finditer(r"\{(\w+)\}", template):
            if match.start() > pos:
                slots.append((template[pos : match.start()], "O"))
            pos = match.end()
            key = match.group(1)
            if key == "P":
                slots.append((self.person(international=international), "PER"))
            elif key == "PM":  # often a single name: a family name or a stage name
                name = self.person(international=international)
                if rng.random() < 0.6:
                    name = name.split()[-1] if rng.random() < 0.6 else name.split()[0]
                slots.append((name, "PER"))
            elif key in ("ROLE", "NATION", "RELIGION", "ROCK", "ORD"):
                pool = {"ROLE": ROLES, "NATION": NATIONS, "RELIGION": RELIGIONS, "ROCK": ROCK,
                        "ORD": ORDINALS}[key]  # fmt: skip
                slots.append((rng.choice(pool), "NNP" if key in ("NATION", "RELIGION") else "O"))
            elif key == "HP":
                slots.extend(self.honorific_person())
            elif key == "PL":
                slots.append((self.place(), "NNP"))
            elif key == "ORG":
                slots.append((self.organisation(), "NNP"))
            elif key == "ADDR":
                slots.extend(self.address())
            elif key == "PB":
                slots.append(
                    (self.person() + rng.choice((" bin ", " binti ")) + self.person(), "PER")
                )
            elif key == "TITLE":
                slots.append((rng.choice(TITLES), "NNP"))
            elif key == "TORG":
                slots.append((self.title_chain(), "NNP"))
            elif key == "FPL":
                slots.append((rng.choice(self.foreign_places), "NNP"))
            elif key == "NAMED":
                slots.append((self.named_after_person(), "NNP"))
            elif key == "WORK":
                slots.append((self.work(), "NNP"))
            elif key == "WORKN":
                slots.append((self.name_like_work(), "NNP"))
            elif key == "VIL":
                slots.append((self.village(), "NNP"))
            elif key == "YEAR":
                slots.append((str(rng.randint(1950, 2023)), "O"))
            elif key in ("DAY", "MONTH"):
                slots.append((rng.choice(DAYS if key == "DAY" else MONTHS), "NNP"))
            elif key == "INITIALS":
                slots.append((rng.choice(("AS", "RH", "MF", "DW", "S")), "O"))
            else:
                slots.append((self._value(key), "O"))
        slots.append((template[pos:], "O"))
        return slots

    def _value(self, key: str) -> str:
        rng = self.rng
        if key == "NIK":
            return f"{rng.randint(11, 94)}{rng.randint(0, 10**14 - 1):014d}"
        if key == "HPNO":
            return f"08{rng.randint(11, 99)}{rng.randint(0, 10**8 - 1):08d}"
        if key == "DATE":
            return f"{rng.randint(1, 28)} {rng.choice(MONTHS)} {rng.randint(1950, 2023)}"
        if key == "AGE":
            return str(rng.randint(5, 90))
        return str(rng.randint(10**9, 10**10 - 1))


def to_example(slots: list[Slot], case: str) -> Example:
    """Tokens and labels of a filled template, written in `case`.

    "as-is"; "lower" (WhatsApp style); "upper-names" writes the people's names in capitals, as
    forms often do; "title" capitalises every word (`Saya Mau Tanya Soal KTP`).
    """
    text = ""
    spans: list[tuple[int, int, str]] = []
    for piece, label in slots:
        if case == "lower":
            piece = piece.lower()
        elif case == "title":
            piece = re.sub(r"\b[a-z]", lambda m: m.group().upper(), piece)
        elif case == "upper-names" and label == "PER":
            piece = piece.upper()
        spans.append((len(text), len(text) + len(piece), label))
        text += piece
    tokens = tokenize(text)
    labels: list[str] = []
    previous_span = -1
    for start in tokens.starts:
        label, index = "O", -1
        for k, (s, e, span_label) in enumerate(spans):
            if s <= start < e:
                label, index = span_label, k
                break
        if label == "PER":
            labels.append("I-PER" if index == previous_span else "B-PER")
        elif label == "NNP" and not text[start].isalnum():
            labels.append("O")
        else:
            labels.append(label)
        previous_span = index if label == "PER" else -1
    # Punctuation inside a name ("Moh.") belongs to it; trailing punctuation of a name does not.
    for i, word in enumerate(tokens.words):
        if labels[i] == "I-PER" and not word[0].isalnum():
            last = i + 1 >= len(labels) or labels[i + 1] != "I-PER"
            if last:
                labels[i] = "O"
    return tokens.words, labels


def generate(generator: Generator, chat: int, news: int) -> list[Example]:
    """`chat` chat-style and `news` news-style examples (news and encyclopedia templates); a
    third of the chat ones lowercase."""
    rng = generator.rng
    out: list[Example] = []
    generator.invented_share = CHAT_INVENTED
    for _ in range(chat):
        slots = generator.sentence(rng.choice(CHAT_TEMPLATES))
        roll = rng.random()
        case = (
            "lower" if roll < 0.3 else "upper-names" if roll < 0.38
            else "title" if roll < 0.43 else "as-is"
        )  # fmt: skip
        out.append(to_example(slots, case))
    generator.invented_share = NEWS_INVENTED
    for _ in range(news):
        roll = rng.random()
        template = rng.choice(
            NEWS_TEMPLATES if roll < 0.47 else BIO_TEMPLATES if roll < 0.94 else THING_TEMPLATES
        )
        slots = generator.sentence(template, international=rng.random() < 0.45)
        out.append(to_example(slots, "as-is"))
    return out
